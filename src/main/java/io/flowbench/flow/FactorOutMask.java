package io.flowbench.flow;

import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A factor-out policy's mask as a layer at the end of a level: a fixed permutation of the level's
 * D = C*H*W dimensions that puts the dimensions the mask keeps first and the factored ones last
 * ({@link Packing}), so that the following {@link FactorOut} (which keeps the first C/2 channels)
 * factors out exactly the masked ones.
 * Volume-preserving: log-det 0. The permutation is applied as three batched products with small
 * permutation matrices ({@link GridPermutation}: about 3 D^1.5 entries instead of one D x D matrix's
 * D^2), not as a gather: in ND4J 1.0.0-M2.1 gather's backward pass fails under the training
 * session's array cache. The matrices and the order they encode are graph constants, so checkpoints
 * carry them; {@link #fix} replaces them in place (the likelihood-contribution policy's warm-up).
 */
public final class FactorOutMask implements FlowLayer {

    /** How the kept and the factored dimensions are laid out in the permuted [C, H, W]. */
    public enum Packing {
        /** Each group in ascending flat order (c*H*W + h*W + w): any half of the dimensions. */
        FLAT,
        /**
         * Per pixel (h, w), its kept channels in ascending order become channels 0 .. C/2-1 at (h, w),
         * its factored ones channels C/2 .. C-1: the kept tensor keeps the image's spatial layout, so the
         * next level's convolutions see neighbouring pixels as neighbours. Needs C/2 factored per pixel.
         */
        PER_PIXEL
    }

    private final FlowGraph g;
    private final SameDiff sd;
    private final LatentShape shape;
    private final Packing packing;
    private final SDVariable order;
    private final SDVariable withinRows;
    private final SDVariable withinColumns;
    private final SDVariable intoPlace;
    private final int rows;
    private final int columns;
    private SDVariable input;
    private SDVariable inputShares;

    /**
     * @param factored per flat dimension of {@code shape}, whether it is factored out (exactly half;
     *                 with {@link Packing#PER_PIXEL} exactly half of every pixel's channels)
     */
    public FactorOutMask(FlowGraph g, String name, LatentShape shape, boolean[] factored, Packing packing) {
        if (shape.channels() < 2) {
            throw new IllegalArgumentException("a factor-out mask needs a level with at least 2 channels, got " + shape);
        }
        this.g = g;
        this.sd = g.sd();
        this.shape = shape;
        this.packing = packing;
        int[] permutation = permutation(factored, shape, packing);
        GridPermutation grid = GridPermutation.of(permutation);
        this.rows = grid.rows();
        this.columns = grid.columns();
        this.order = sd.constant(name + "/order", orderArray(permutation));
        this.withinRows = g.constant(name + "/within-rows", grid.withinRows());
        this.withinColumns = g.constant(name + "/within-columns", grid.withinColumns());
        this.intoPlace = g.constant(name + "/into-place", grid.intoPlace());
    }

    /** Replaces the mask (same shape); the graph's next execution uses the new permutation. */
    public void fix(boolean[] factored) {
        int[] permutation = permutation(factored, shape, packing);
        GridPermutation grid = GridPermutation.of(permutation);
        order.getArr().assign(orderArray(permutation));
        withinRows.getArr().assign(grid.withinRows());
        withinColumns.getArr().assign(grid.withinColumns());
        intoPlace.getArr().assign(grid.intoPlace());
    }

    /** The graph constants that hold the mask (the order and the three stage matrices). */
    public List<SDVariable> constants() {
        return List.of(order, withinRows, withinColumns, intoPlace);
    }

    /** The current mask: per flat dimension, whether it is factored out. */
    public boolean[] mask() {
        long[] sources = order.getArr().toLongVector();
        boolean[] factored = new boolean[sources.length];
        for (int i = sources.length / 2; i < sources.length; i++) {
            factored[Math.toIntExact(sources[i])] = true;
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

    /**
     * x [N, C, H, W] as a [rows, columns] grid per example, permuted within its rows, its columns and
     * its rows again (batched products over the grid's lines); the inverse undoes the stages in
     * reverse order with the transposed matrices.
     */
    private SDVariable permute(SDVariable x, boolean inverse) {
        SDVariable byRow = sd.permute(sd.reshape(x, -1, rows, columns), 1, 0, 2);     // [rows, N, columns]
        byRow = sd.mmul(byRow, inverse ? intoPlace : withinRows, false, inverse, false);
        SDVariable byColumn = sd.permute(byRow, 2, 1, 0);                             // [columns, N, rows]
        byColumn = sd.mmul(byColumn, withinColumns, false, inverse, false);
        byRow = sd.permute(byColumn, 2, 1, 0);
        byRow = sd.mmul(byRow, inverse ? withinRows : intoPlace, false, inverse, false);
        return sd.reshape(sd.permute(byRow, 1, 0, 2), -1, shape.channels(), shape.height(), shape.width());
    }

    /** The permutation's sources in output order (kept first, then factored); fails unless half are factored. */
    static int[] permutation(boolean[] factored, LatentShape shape, Packing packing) {
        if (factored.length != shape.size()) {
            throw new IllegalArgumentException("a mask of " + factored.length + " dimensions for a level of " + shape);
        }
        return packing == Packing.FLAT ? flat(factored) : perPixel(factored, shape);
    }

    private static int[] flat(boolean[] factored) {
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

    /** Output (k, h, w) takes the k-th kept (k < C/2) or (k - C/2)-th factored channel of pixel (h, w). */
    private static int[] perPixel(boolean[] factored, LatentShape shape) {
        int pixels = shape.height() * shape.width();
        int half = shape.channels() / 2;
        int[] order = new int[factored.length];
        for (int p = 0; p < pixels; p++) {
            int kept = 0;
            int out = half;
            for (int c = 0; c < shape.channels(); c++) {
                int k = factored[c * pixels + p] ? out++ : kept++;
                if (k < shape.channels()) {
                    order[k * pixels + p] = c * pixels + p;
                }
            }
            if (kept != half) {
                throw new IllegalArgumentException("a per-pixel factor-out mask must factor out " + (shape.channels() - half)
                        + " of the " + shape.channels() + " channels at every pixel, not " + (out - half)
                        + " at (h, w) = (" + p / shape.width() + ", " + p % shape.width() + ")");
            }
        }
        return order;
    }

    /** The permutation's sources in output order, as a double vector (a graph constant). */
    private static INDArray orderArray(int[] permutation) {
        return Nd4j.createFromArray(Arrays.stream(permutation).asDoubleStream().toArray());
    }
}
