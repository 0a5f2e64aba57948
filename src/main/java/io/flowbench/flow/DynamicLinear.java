package io.flowbench.flow;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * DLF's dynamic linear transformation (arXiv 1905.03239) over K channel parts x_1..x_K:
 * y_k = (x_k + mu_k) * exp(logs_k), with (mu_1, logs_1) learned per channel (plus a class term) and,
 * for k > 1, (mu_k, logs_k) = g_k(x_{k-1}) in the non-inverse form or g_k(y_{k-1}) in the inverse
 * form. logs = tanh(raw) * rescale + shift. The non-inverse form is parallel forward and sequential
 * in the inverse; the inverse form the other way round. log-det = sum of all logs.
 */
public final class DynamicLinear implements FlowLayer {

    /** Which side conditions g_k: x_{k-1} (non-inverse form) or y_{k-1} (inverse form). */
    public enum Form { NON_INVERSE, INVERSE }

    /** How channels are cut into parts; the unequal ones are defined for K = 4 (C/8, C/8, C/4, C/2). */
    public enum Partition { EQUAL, INCREASING, DECREASING }

    /** Part 1: learned shift/scale, or passed through unchanged ("affine coupling" mode, K = 2). */
    public enum FirstPart { LEARNED, IDENTITY }

    /** Hyper-parameters of one dynamic linear layer. */
    public record Options(int parts, Form form, Partition partition, FirstPart firstPart,
                          double logScaleRescaleInit, double logScaleShiftInit) {
        public Options {
            if (parts < 2) {
                throw new IllegalArgumentException("DLF needs at least 2 parts, got " + parts);
            }
            if (partition != Partition.EQUAL && parts != 4) {
                throw new IllegalArgumentException(partition + " partition is defined for 4 parts only, got " + parts);
            }
            if (firstPart == FirstPart.IDENTITY && parts != 2) {
                throw new IllegalArgumentException("an identity first part (affine-coupling mode) needs 2 parts, got " + parts);
            }
        }
    }

    private final FlowGraph g;
    private final SameDiff sd;
    private final Options options;
    private final int[] sizes;
    private final long pixels;
    private final SDVariable firstParams;
    private final SDVariable firstClassWeights;
    private final BoundedLogScale firstLogScale;
    private final List<Conditioner.Network> nets = new ArrayList<>();
    private final List<BoundedLogScale> logScales = new ArrayList<>();

    /**
     * @param conditioner the networks g_k, k > 1, from part k-1 to (mu_k, raw logs_k)
     * @param numClasses  class count of the learned part-1 class term (0: unconditional)
     */
    public DynamicLinear(FlowGraph g, String name, LatentShape shape, Options options, Conditioner conditioner,
                         int numClasses) {
        this.g = g;
        this.sd = g.sd();
        this.options = options;
        this.sizes = partSizes(shape.channels(), options.parts(), options.partition());
        this.pixels = shape.pixels();
        boolean learnedFirst = options.firstPart() == FirstPart.LEARNED;
        this.firstParams = learnedFirst ? g.zeros(name + "/g0/h", 1, 2L * sizes[0], 1, 1) : null;
        this.firstClassWeights = learnedFirst && numClasses > 0
                ? g.zeros(name + "/g0/class/w", numClasses, 2L * sizes[0]) : null;
        this.firstLogScale = learnedFirst
                ? new BoundedLogScale(g, name + "/g0", options.logScaleRescaleInit(), options.logScaleShiftInit()) : null;
        for (int k = 1; k < sizes.length; k++) {
            String part = name + "/g" + k;
            nets.add(conditioner.create(g, part, sizes[k - 1], 2 * sizes[k]));
            logScales.add(new BoundedLogScale(g, part, options.logScaleRescaleInit(), options.logScaleShiftInit()));
        }
    }

    /** Channel counts of the K parts; fails with the reason when the channels cannot be cut so. */
    public static int[] partSizes(int channels, int parts, Partition partition) {
        int[] sizes = new int[parts];
        switch (partition) {
            case EQUAL -> {
                if (channels % parts != 0) {
                    throw new IllegalArgumentException(channels + " channels cannot be cut into " + parts + " equal parts");
                }
                java.util.Arrays.fill(sizes, channels / parts);
            }
            case INCREASING, DECREASING -> {
                if (channels % 8 != 0) {
                    throw new IllegalArgumentException(partition + " partition needs channels divisible by 8, got " + channels);
                }
                int[] increasing = {channels / 8, channels / 8, channels / 4, channels / 2};
                for (int k = 0; k < 4; k++) {
                    sizes[k] = partition == Partition.INCREASING ? increasing[k] : increasing[3 - k];
                }
            }
        }
        return sizes;
    }

    /** FLOPs on [C, H, W]: part 1's class term (when learned) and a network per part k > 1. */
    public static void countFlops(Flops flops, LatentShape shape, Options options, Conditioner conditioner,
                                  int numClasses) {
        int[] sizes = partSizes(shape.channels(), options.parts(), options.partition());
        if (options.firstPart() == FirstPart.LEARNED) {
            flops.perImage("class linear", 2.0 * numClasses * 2 * sizes[0]);
        }
        for (int k = 1; k < sizes.length; k++) {
            conditioner.countFlops(flops, sizes[k - 1], 2 * sizes[k], shape);
        }
    }

    /** Shift and log-scale of one part, as a pair [mu, logs]. */
    private SDVariable[] shiftAndLogScale(int k, SDVariable previous, SDVariable condition) {
        if (k == 0) {
            SDVariable h = firstParams;
            if (firstClassWeights != null) {
                h = h.add(sd.reshape(sd.mmul(condition, firstClassWeights), -1, 2L * sizes[0], 1, 1));
            }
            SDVariable[] muRaw = g.channelHalves(h, 2 * sizes[0]);
            return new SDVariable[] {muRaw[0], firstLogScale.apply(muRaw[1])};
        }
        SDVariable[] muRaw = g.channelHalves(nets.get(k - 1).apply(previous, condition), 2 * sizes[k]);
        return new SDVariable[] {muRaw[0], logScales.get(k - 1).apply(muRaw[1])};
    }

    private boolean identityFirst() {
        return options.firstPart() == FirstPart.IDENTITY;
    }

    /** log-det contribution of part k's log-scales; part 1's are broadcast over pixels (and the batch). */
    private SDVariable logDetOf(int k, SDVariable logs) {
        return k == 0 ? logs.sum(1, 2, 3).mul(pixels) : logs.sum(1, 2, 3);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        return transform(x, condition).out();
    }

    /** Each dimension's share is its part's log-scale at that element (part 1's: its channel's). */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Parts p = transform(x, condition);
        SDVariable[] own = new SDVariable[p.inputs().length];
        for (int k = 0; k < own.length; k++) {
            SDVariable logs = p.logScales()[k];
            own[k] = logs == null ? sd.zerosLike(p.inputs()[k]) : k == 0 ? Traced.broadcast(logs, p.inputs()[0]) : logs;
        }
        return new Traced(p.out(), shares.add(sd.concat(1, own)));
    }

    /** The forward direction, the input's parts and their log-scales (null for an identity part 1). */
    private record Parts(Transformed out, SDVariable[] inputs, SDVariable[] logScales) { }

    private Parts transform(SDVariable x, SDVariable condition) {
        SDVariable[] xs = parts(x);
        SDVariable[] ys = new SDVariable[xs.length];
        SDVariable[] logScales = new SDVariable[xs.length];
        SDVariable logDet = null;
        for (int k = 0; k < xs.length; k++) {
            if (k == 0 && identityFirst()) {
                ys[0] = xs[0];
                continue;
            }
            SDVariable conditioner = k == 0 ? null : (options.form() == Form.NON_INVERSE ? xs[k - 1] : ys[k - 1]);
            SDVariable[] muLogs = shiftAndLogScale(k, conditioner, condition);
            ys[k] = xs[k].add(muLogs[0]).mul(sd.math().exp(muLogs[1]));
            logScales[k] = muLogs[1];
            logDet = plus(logDet, logDetOf(k, muLogs[1]));
        }
        return new Parts(new Transformed(sd.concat(1, ys), logDet), xs, logScales);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable[] ys = parts(y);
        SDVariable[] xs = new SDVariable[ys.length];
        SDVariable logDet = null;
        for (int k = 0; k < ys.length; k++) {
            if (k == 0 && identityFirst()) {
                xs[0] = ys[0];
                continue;
            }
            SDVariable conditioner = k == 0 ? null : (options.form() == Form.NON_INVERSE ? xs[k - 1] : ys[k - 1]);
            SDVariable[] muLogs = shiftAndLogScale(k, conditioner, condition);
            xs[k] = ys[k].mul(sd.math().exp(muLogs[1].neg())).sub(muLogs[0]);
            logDet = plus(logDet, logDetOf(k, muLogs[1]).neg());
        }
        return new Transformed(sd.concat(1, xs), logDet);
    }

    /**
     * The log-det so far plus a part's term. Part 2 on is always learned, so the sum starts from the first
     * term rather than a zero per example (three ops and an addition less, each way, per layer).
     */
    private static SDVariable plus(SDVariable logDet, SDVariable term) {
        return logDet == null ? term : logDet.add(term);
    }

    private SDVariable[] parts(SDVariable x) {
        return g.channelSlices(x, sizes);
    }
}
