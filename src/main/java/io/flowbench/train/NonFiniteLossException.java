package io.flowbench.train;

/**
 * Training produced a NaN or infinite loss or gradient: the run must stop rather than train through
 * it. Thrown before the step's update, so the parameters are those of the last good step.
 */
public final class NonFiniteLossException extends RuntimeException {
    private final long step;
    private final double loss;

    public NonFiniteLossException(long step, double loss) {
        super("non-finite loss " + loss + " at step " + step + advice());
        this.step = step;
        this.loss = loss;
    }

    public NonFiniteLossException(long step, double loss, String parameter) {
        super("non-finite gradient of " + parameter + " at step " + step + " (loss " + loss + ")" + advice());
        this.step = step;
        this.loss = loss;
    }

    private static String advice() {
        return ": training stopped before the update (lower the learning rate, check the data, or resume from the last checkpoint)";
    }

    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }
}
