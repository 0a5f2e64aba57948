package io.flowbench.flow;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Which dimensions of a level's output a factor-out sends to its latent. A mask is a boolean per
 * dimension of the level's squeezed output [C, H, W] (flat index c*H*W + h*W + w), true for the
 * D/2 dimensions factored out; {@link FactorOutMask} turns it into a fixed permutation before the
 * {@link FactorOut} ({@link #packing()}: how the kept half is laid out). {@code channels} (the last
 * C/2 channels leave) needs no permutation at all.
 *
 * @param kind         the policy
 * @param order        for {@code likelihood-contribution}: factor out the dimensions with the
 *                     highest or the lowest contribution
 * @param warmupSteps  for {@code likelihood-contribution}: training steps whose contributions are
 *                     averaged before the mask is fixed (the mask is {@code channels}' until then)
 * @param afterWarmup  for {@code likelihood-contribution}: whether training continues from the
 *                     warm-up's parameters once the mask is fixed, or restarts from initial ones
 */
public record FactorOutPolicy(Kind kind, Order order, long warmupSteps, AfterWarmup afterWarmup) {

    /** Today's split, with no layer added (so every recorded score is unchanged). */
    public static final FactorOutPolicy CHANNELS = new FactorOutPolicy(Kind.CHANNELS, Order.HIGHEST, 0);

    public enum Kind {
        CHANNELS, CHECKERBOARD, RANDOM, LIKELIHOOD_CONTRIBUTION;

        /** The configuration spelling: lower case, words joined by '-'. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum Order { HIGHEST, LOWEST }

    /**
     * What training does once the likelihood-contribution mask is fixed: {@code CONTINUE} from the
     * parameters the warm-up learned with {@code channels}' mask, or {@code RESTART} from the initial
     * parameters (optimiser state, averages and learning-rate schedule too), so that the warm-up only
     * chooses the mask.
     */
    public enum AfterWarmup {
        CONTINUE, RESTART;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A policy that continues after its warm-up. */
    public FactorOutPolicy(Kind kind, Order order, long warmupSteps) {
        this(kind, order, warmupSteps, AfterWarmup.CONTINUE);
    }

    /**
     * The order and warm-up only mean something to likelihood-contribution; other policies drop them.
     * A restart needs a warm-up to restart after.
     */
    public FactorOutPolicy {
        if (kind != Kind.LIKELIHOOD_CONTRIBUTION) {
            if (afterWarmup == AfterWarmup.RESTART) {
                throw new IllegalArgumentException("only likelihood-contribution has a warm-up to restart after, not "
                        + kind.configName());
            }
            order = Order.HIGHEST;
            warmupSteps = 0;
        } else if (warmupSteps < 1) {
            throw new IllegalArgumentException("the likelihood-contribution policy needs warm-up steps >= 1, got " + warmupSteps);
        }
    }

    /** The step after which training restarts from the initial parameters; 0 when it never does. */
    public long restartStep() {
        return afterWarmup == AfterWarmup.RESTART ? warmupSteps : 0;
    }

    /** Whether a permutation layer is placed before each factor-out. */
    public boolean permutes() {
        return kind != Kind.CHANNELS;
    }

    /**
     * The mask a level starts with: {@code checkerboard} factors out dimension (c, h, w) when c + h + w
     * is odd; {@code random} a uniformly drawn half of the dimensions (seeded per level);
     * {@code channels} and {@code likelihood-contribution} (before its warm-up ends) the last C/2 channels.
     */
    public boolean[] initialMask(LatentShape shape, long seed, int level) {
        boolean[] factored = new boolean[Math.toIntExact(shape.size())];
        switch (kind) {
            case CHECKERBOARD -> {
                for (int i = 0; i < factored.length; i++) {
                    int c = i / (shape.height() * shape.width());
                    int h = i / shape.width() % shape.height();
                    int w = i % shape.width();
                    factored[i] = (c + h + w) % 2 == 1;
                }
            }
            case RANDOM -> {
                int[] order = new int[factored.length];
                Arrays.setAll(order, i -> i);
                SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + level);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int i = 0; i < factored.length / 2; i++) {
                    factored[order[i]] = true;
                }
            }
            case CHANNELS, LIKELIHOOD_CONTRIBUTION -> Arrays.fill(factored, factored.length / 2, factored.length, true);
        }
        return factored;
    }

    /**
     * How {@link FactorOutMask} lays out the kept half: per pixel for {@code likelihood-contribution}
     * (its mask factors out half of every pixel's channels, so the kept half keeps the image's layout
     * for the next level's convolutions: docs/factor-out.md), in flat order for the others.
     */
    public FactorOutMask.Packing packing() {
        return kind == Kind.LIKELIHOOD_CONTRIBUTION ? FactorOutMask.Packing.PER_PIXEL : FactorOutMask.Packing.FLAT;
    }

    /**
     * The mask from per-dimension contributions (flat index c*H*W + h*W + w of {@code shape}): at every
     * pixel (h, w), the half of its channels with the highest (or, for the ablation, lowest)
     * contribution is factored out; ties go to the lower channel.
     */
    public static boolean[] maskFrom(double[] contribution, Order order, LatentShape shape) {
        int pixels = shape.height() * shape.width();
        double sign = order == Order.HIGHEST ? -1 : 1;
        boolean[] factored = new boolean[contribution.length];
        Integer[] channels = new Integer[shape.channels()];
        for (int p = 0; p < pixels; p++) {
            int pixel = p;
            Arrays.setAll(channels, c -> c);
            Arrays.sort(channels, (a, b) -> {
                int cmp = Double.compare(sign * contribution[a * pixels + pixel], sign * contribution[b * pixels + pixel]);
                return cmp != 0 ? cmp : Integer.compare(a, b);
            });
            for (int i = 0; i < shape.channels() - shape.channels() / 2; i++) {
                factored[channels[i] * pixels + p] = true;
            }
        }
        return factored;
    }
}
