package io.flowbench.model;

import io.flowbench.flow.FactorOutMask;
import io.flowbench.flow.FactorOutPolicy;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The likelihood-contribution factor-out policy (Das, Abbeel and Spanos, arXiv 1908.01686): during
 * the warm-up, after each training step, the level outputs at every split point (before the mask)
 * are computed for the batch and their per-dimension first and second moments accumulated; after
 * the last warm-up step each dimension's contribution to log p(x) is its expected log-density under
 * the Gaussian fitted to it, -1/2 log(2 pi e var), and the mask factors out the half with the
 * highest (or lowest) contribution. The upstream log-determinants are shared equally by the
 * dimensions of a level here, so they do not change the ranking (docs/factor-out.md). The moments
 * are graph constants, so a checkpoint taken mid-warm-up resumes to the same mask.
 */
final class LikelihoodContribution {
    private final SameDiff sd;
    private final List<FactorOutMask> masks;
    private final FactorOutPolicy policy;
    private final List<SDVariable> sums;
    private final List<SDVariable> squares;
    private final SDVariable count;

    LikelihoodContribution(SameDiff sd, List<FactorOutMask> masks, FactorOutPolicy policy) {
        this.sd = sd;
        this.masks = masks;
        this.policy = policy;
        this.sums = masks.stream().map(m -> accumulator("sum", m)).toList();
        this.squares = masks.stream().map(m -> accumulator("sum-sq", m)).toList();
        this.count = sd.constant("factor-out-contribution/count", Nd4j.scalar(DataType.DOUBLE, 0.0));
    }

    private SDVariable accumulator(String what, FactorOutMask mask) {
        return sd.constant("factor-out-contribution/" + masks.indexOf(mask) + "/" + what,
                Nd4j.zeros(DataType.DOUBLE, mask.shape().size()));
    }

    /** Accumulates the batch when {@code step} is in the warm-up; fixes the masks after its last step. */
    void observe(long step, Map<String, INDArray> inputs) {
        if (step > policy.warmupSteps()) {
            return;
        }
        String[] names = masks.stream().map(m -> m.input().name()).toArray(String[]::new);
        Map<String, INDArray> out = sd.output(inputs, names);
        long batch = 0;
        for (int i = 0; i < masks.size(); i++) {
            INDArray h = out.get(names[i]).castTo(DataType.DOUBLE);
            batch = h.size(0);
            INDArray flat = h.reshape(batch, h.length() / batch);
            sums.get(i).getArr().addi(flat.sum(0));
            squares.get(i).getArr().addi(flat.mul(flat).sum(0));
        }
        count.getArr().addi(batch);
        if (step == policy.warmupSteps()) {
            for (int i = 0; i < masks.size(); i++) {
                masks.get(i).fix(FactorOutPolicy.maskFrom(contributions(i), policy.order()));
            }
        }
    }

    /** Per dimension of split point i, its contribution (nats) averaged over the batches seen so far. */
    double[] contributions(int i) {
        double n = count.getArr().getDouble(0);
        double[] sum = sums.get(i).getArr().toDoubleVector();
        double[] sq = squares.get(i).getArr().toDoubleVector();
        double[] c = new double[sum.length];
        for (int d = 0; d < c.length; d++) {
            double mean = sum[d] / n;
            double var = Math.max(sq[d] / n - mean * mean, Double.MIN_NORMAL);
            c[d] = -0.5 * Math.log(2 * Math.PI * Math.E * var);
        }
        return c;
    }
}
