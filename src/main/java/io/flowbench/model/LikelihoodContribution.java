package io.flowbench.model;

import io.flowbench.flow.FactorOutMask;
import io.flowbench.flow.FactorOutPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The likelihood-contribution factor-out policy (Das, Abbeel and Spanos, arXiv 1908.01686): during
 * the warm-up, after each training step, the level outputs at every split point (before the mask)
 * and their log-det shares (the log-determinant upstream split over the dimensions, see
 * {@code FlowLayer.forwardTraced}) are computed for the batch; per dimension, the first and second
 * moments of the value and the sum of the share are accumulated. After the last warm-up step each
 * dimension's contribution to log p(x) is its expected log-density under the Gaussian fitted to it,
 * -1/2 log(2 pi e var), plus its mean log-det share, and the mask factors out, at every pixel, the
 * half of its channels with the highest (or lowest) contribution. The sums are graph constants, so
 * a checkpoint taken mid-warm-up resumes to the same mask (docs/factor-out.md).
 */
final class LikelihoodContribution {

    /**
     * Per dimension of a split point, in nats per example, averaged over the batches seen so far.
     *
     * @param density     expected log-density under the dimension's fitted Gaussian
     * @param logDetShare mean share of the upstream log-determinants
     */
    record Contribution(double[] density, double[] logDetShare) {
        double[] total() {
            double[] t = new double[density.length];
            for (int d = 0; d < t.length; d++) {
                t[d] = density[d] + logDetShare[d];
            }
            return t;
        }
    }

    private final SameDiff sd;
    private final List<FactorOutMask> masks;
    private final FactorOutPolicy policy;
    private final List<SDVariable> sums;
    private final List<SDVariable> squares;
    private final List<SDVariable> shareSums;
    private final SDVariable count;

    LikelihoodContribution(SameDiff sd, List<FactorOutMask> masks, FactorOutPolicy policy) {
        this.sd = sd;
        this.masks = masks;
        this.policy = policy;
        this.sums = masks.stream().map(m -> accumulator("sum", m)).toList();
        this.squares = masks.stream().map(m -> accumulator("sum-sq", m)).toList();
        this.shareSums = masks.stream().map(m -> accumulator("log-det-share-sum", m)).toList();
        this.count = sd.constant("factor-out-contribution/count", Nd4j.scalar(DataType.DOUBLE, 0.0));
    }

    private SDVariable accumulator(String what, FactorOutMask mask) {
        return sd.constant("factor-out-contribution/" + masks.indexOf(mask) + "/" + what,
                Nd4j.zeros(DataType.DOUBLE, mask.shape().size()));
    }

    /** The names of the graph constants the warm-up wrote: the masks and the sums that chose them. */
    Set<String> constantNames() {
        Set<String> names = new HashSet<>();
        masks.forEach(m -> m.constants().forEach(c -> names.add(c.name())));
        Stream.of(sums, squares, shareSums, List.of(count)).flatMap(List::stream).forEach(c -> names.add(c.name()));
        return names;
    }

    /** Accumulates the batch when {@code step} is in the warm-up; fixes the masks after its last step. */
    void observe(long step, Map<String, INDArray> inputs) {
        if (step > policy.warmupSteps()) {
            return;
        }
        int n = masks.size();
        String[] names = new String[2 * n];
        for (int i = 0; i < n; i++) {
            names[i] = masks.get(i).input().name();
            names[n + i] = masks.get(i).inputShares().name();
        }
        Map<String, INDArray> out = sd.output(inputs, names);
        long batch = 0;
        for (int i = 0; i < n; i++) {
            INDArray h = flat(out.get(names[i]));
            batch = h.size(0);
            sums.get(i).getArr().addi(h.sum(0));
            squares.get(i).getArr().addi(h.mul(h).sum(0));
            shareSums.get(i).getArr().addi(flat(out.get(names[n + i])).sum(0));
        }
        count.getArr().addi(batch);
        if (step == policy.warmupSteps()) {
            for (int i = 0; i < n; i++) {
                masks.get(i).fix(FactorOutPolicy.maskFrom(contribution(i).total(), policy.order(), masks.get(i).shape()));
            }
        }
    }

    /** [N, C, H, W] as [N, C*H*W] in double. */
    private static INDArray flat(INDArray x) {
        INDArray d = x.castTo(DataType.DOUBLE);
        return d.reshape(d.size(0), d.length() / d.size(0));
    }

    /** The contribution of each dimension of split point i, from the batches seen so far. */
    Contribution contribution(int i) {
        double n = count.getArr().getDouble(0);
        double[] sum = sums.get(i).getArr().toDoubleVector();
        double[] sq = squares.get(i).getArr().toDoubleVector();
        double[] shareSum = shareSums.get(i).getArr().toDoubleVector();
        double[] density = new double[sum.length];
        double[] share = new double[sum.length];
        for (int d = 0; d < density.length; d++) {
            double mean = sum[d] / n;
            double var = Math.max(sq[d] / n - mean * mean, Double.MIN_NORMAL);
            density[d] = -0.5 * Math.log(2 * Math.PI * Math.E * var);
            share[d] = shareSum[d] / n;
        }
        return new Contribution(density, share);
    }
}
