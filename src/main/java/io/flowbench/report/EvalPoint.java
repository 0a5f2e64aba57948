package io.flowbench.report;

/**
 * One periodic evaluation of a run: test bits/dim (Polyak-averaged weights, fixed dequantization noise,
 * on the first {@code evaluation.test-examples} test images) after {@code step} optimisation steps, with
 * the training budget spent so far in images and in training seconds (evaluation time excluded).
 */
public record EvalPoint(long step, double imagesSeen, double trainSeconds, double testBpd) {

    /** The x value of this point on an axis of the training budget. */
    public double at(Budget axis) {
        return axis.of(step, imagesSeen, trainSeconds);
    }

    /** The three ways a training budget is counted. */
    public enum Budget {
        STEPS, IMAGES, TIME;

        /** The one of the three counts this axis measures. */
        public double of(double steps, double images, double seconds) {
            return switch (this) {
                case STEPS -> steps;
                case IMAGES -> images;
                case TIME -> seconds;
            };
        }
    }
}
