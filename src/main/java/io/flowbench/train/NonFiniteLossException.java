package io.flowbench.train;

/** Training produced a NaN or infinite loss: the run must stop rather than train through it. */
public final class NonFiniteLossException extends RuntimeException {
    private final long step;
    private final double loss;

    public NonFiniteLossException(long step, double loss) {
        super("non-finite loss " + loss + " at step " + step
                + ": training stopped (lower the learning rate, check the data, or resume from the last checkpoint)");
        this.step = step;
        this.loss = loss;
    }

    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }
}
