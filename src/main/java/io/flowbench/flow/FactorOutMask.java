package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A factor-out policy's mask as a layer at the end of a level: a fixed permutation of the level's
 * D = C*H*W dimensions that puts the dimensions the mask keeps
 * first and the factored ones last, each group in ascending flat order, so that the following
 * {@link FactorOut} (which keeps the first C/2 channels) factors out exactly the masked ones.
 * Volume-preserving: log-det 0. The permutation is a product with a D x D permutation matrix (its
 * transpose inverts it), not a gather: in ND4J 1.0.0-M2.1 gather's backward pass fails under the
 * training session's array cache. The matrix is a graph constant, so checkpoints carry it; {@link #fix}
 * replaces it in place (the likelihood-contribution policy's warm-up).
 */
public final class FactorOutMask implements FlowLayer {
    private final FlowGraph g;
    private final SameDiff sd;
    private final LatentShape shape;
    private final SDVariable matrix;
    private SDVariable input;
    private SDVariable inputShares;

    /** @param factored per flat dimension of {@code shape}, whether it is factored out (exactly half) */
    public FactorOutMask(FlowGraph g, String name, LatentShape shape, boolean[] factored) {
        if (shape.channels() < 2) {
            throw new IllegalArgumentException("a factor-out mask needs a level with at least 2 channels, got " + shape);
        }
        this.g = g;
        this.sd = g.sd();
        this.shape = shape;
        this.matrix = g.constant(name + "/permutation", matrix(permutation(factored, shape)));
    }

    /** Replaces the mask (same shape); the graph's next execution uses the new permutation. */
    public void fix(boolean[] factored) {
        matrix.getArr().assign(matrix(permutation(factored, shape)));
    }

    /** The current mask: per flat dimension, whether it is factored out. */
    public boolean[] mask() {
        long[] order = matrix.getArr().argMax(0).toLongVector();
        boolean[] factored = new boolean[order.length];
        for (int i = order.length / 2; i < order.length; i++) {
            factored[Math.toIntExact(order[i])] = true;
        }
        return factored;
    }

    /** The variable this layer permutes (the level's output before the mask), once forward was built. */
    public SDVariable input() {
        if (input == null) {
            throw new IllegalStateException("the mask's forward direction is not built yet");
        }
        return input;
    }

    /** The log-det shares at the dimensions of {@link #input()}, once {@link #forwardTraced} was built. */
    public SDVariable inputShares() {
        if (inputShares == null) {
            throw new IllegalStateException("the mask's traced forward direction is not built");
        }
        return inputShares;
    }

    public LatentShape shape() {
        return shape;
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        input = x;
        return new Transformed(permute(x, false), g.zeroLogDet(x));
    }

    /** The shares are permuted with their dimensions. */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        inputShares = shares;
        return new Traced(forward(x, condition), permute(shares, false));
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        return new Transformed(permute(y, true), g.zeroLogDet(y));
    }

    /** x [N, C, H, W] flattened to [N, D] times the matrix (its transpose for the inverse). */
    private SDVariable permute(SDVariable x, boolean inverse) {
        SDVariable flat = sd.reshape(x, -1, shape.size());
        SDVariable out = sd.mmul(flat, matrix, false, inverse, false);
        return sd.reshape(out, -1, shape.channels(), shape.height(), shape.width());
    }

    /** Kept dimensions first, then the factored ones, each in ascending order; fails unless half are factored. */
    static int[] permutation(boolean[] factored, LatentShape shape) {
        if (factored.length != shape.size()) {
            throw new IllegalArgumentException("a mask of " + factored.length + " dimensions for a level of " + shape);
        }
        int half = factored.length / 2;
        int count = 0;
        for (boolean f : factored) {
            count += f ? 1 : 0;
        }
        if (count != factored.length - half) {
            throw new IllegalArgumentException("a factor-out mask must factor out " + (factored.length - half)
                    + " of " + factored.length + " dimensions, not " + count);
        }
        int[] order = new int[factored.length];
        int kept = 0;
        int out = half;
        for (int i = 0; i < factored.length; i++) {
            order[factored[i] ? out++ : kept++] = i;
        }
        return order;
    }

    /** P with P[order[j], j] = 1: output dimension j is input dimension order[j]. */
    private static INDArray matrix(int[] order) {
        INDArray p = Nd4j.zeros(DataType.DOUBLE, order.length, order.length);
        for (int j = 0; j < order.length; j++) {
            p.putScalar(order[j], j, 1.0);
        }
        return p;
    }
}
