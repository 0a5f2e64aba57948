package io.flowbench.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * The DLF reference schedule, lr = max(lr0 * decay^(step / decaySteps), lrMin), times a linear
 * warm-up over the first {@code warmupSteps} steps (Glow's warm-up; 0 disables it).
 */
public final class DecaySchedule implements ISchedule {
    private final double initial;
    private final double decay;
    private final double decaySteps;
    private final double minimum;
    private final int warmupSteps;

    public DecaySchedule(double initial, double decay, double decaySteps, double minimum, int warmupSteps) {
        if (!(initial > 0) || !(decay > 0 && decay <= 1) || !(decaySteps > 0) || minimum < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException(String.format(
                    "bad learning-rate schedule: lr %s, decay %s per %s steps, floor %s, warm-up %d",
                    initial, decay, decaySteps, minimum, warmupSteps));
        }
        this.initial = initial;
        this.decay = decay;
        this.decaySteps = decaySteps;
        this.minimum = minimum;
        this.warmupSteps = warmupSteps;
    }

    /** Learning rate of the step with 0-based index {@code iteration}. */
    @Override
    public double valueAt(int iteration, int epoch) {
        double lr = Math.max(initial * Math.pow(decay, iteration / decaySteps), minimum);
        return warmupSteps == 0 ? lr : lr * Math.min(1.0, (iteration + 1.0) / warmupSteps);
    }

    @Override
    public ISchedule clone() {
        return new DecaySchedule(initial, decay, decaySteps, minimum, warmupSteps);
    }
}
