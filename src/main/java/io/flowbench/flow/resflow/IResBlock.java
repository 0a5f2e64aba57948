package io.flowbench.flow.resflow;

import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.StochasticLayer;
import io.flowbench.flow.Transformed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Invertible residual block y = x + g(x) with Lip(g) < 1 (Behrmann et al.; Chen et al., Residual
 * Flows). log det(I + J_g) is estimated without bias by the power series
 * sum_k (-1)^(k+1)/k v^T J^k v with a Hutchinson vector v ~ N(0, I) and Russian-roulette weights
 * (see {@link Roulette}); v and the weights are placeholders that {@link #feed} fills from a seeded
 * stream, so a run is reproducible. The graph holds {@link SeriesOptions#capacity()} terms; the
 * weights of terms beyond a draw are exactly zero. The inverse is the fixed point of
 * x = y - g(x), iterated in a SameDiff while loop.
 */
public final class IResBlock implements FlowLayer, StochasticLayer {
    /** Fixed-point inverse: stop when every |x - x_prev| <= tol + tol |y|, at most this many rounds. */
    public static final int MAX_INVERSE_ITERATIONS = 1000;
    /** tol in float32 (the reference's); float64 graphs, used for verification, iterate to 1e-10. */
    static final double INVERSE_TOLERANCE = 1e-5;
    static final double INVERSE_TOLERANCE_DOUBLE = 1e-10;

    private final FlowGraph g;
    private final SameDiff sd;
    private final String name;
    private final LatentShape shape;
    private final ResidualNet net;
    private final SeriesOptions series;
    private final SDVariable hutchinson;
    private final SDVariable rouletteWeights;
    /** (-1)^(k+1) / k for k = 1..capacity: a placeholder, so that no saved state depends on the capacity. */
    private final SDVariable termCoefficients;
    private String inverseIterations;

    /** A block on images: g's outer convolutions are 3x3. */
    public IResBlock(FlowGraph g, String name, LatentShape shape, int hidden, boolean preActivate,
                     double coefficient, SeriesOptions series) {
        this(g, name, shape, 3, hidden, preActivate, coefficient, series);
    }

    /**
     * A fully connected block (Residual Flows' fc blocks) on {@code dimensions} values, laid out as a
     * [N, dimensions, 1, 1] image: g's layers are matrices (1x1 convolutions), spectrally normalised
     * as matrices.
     */
    public static IResBlock fullyConnected(FlowGraph g, String name, int dimensions, int hidden, boolean preActivate,
                                           double coefficient, SeriesOptions series) {
        return new IResBlock(g, name, new LatentShape(dimensions, 1, 1), 1, hidden, preActivate, coefficient, series);
    }

    private IResBlock(FlowGraph g, String name, LatentShape shape, int kernel, int hidden, boolean preActivate,
                      double coefficient, SeriesOptions series) {
        if (!(coefficient > 0 && coefficient < 1)) {
            throw new IllegalArgumentException("the spectral-norm coefficient must be in (0, 1), got " + coefficient);
        }
        this.g = g;
        this.sd = g.sd();
        this.name = name;
        this.shape = shape;
        this.series = series;
        this.net = new ResidualNet(g, name + "/g", kernel, shape.channels(), hidden, shape.height(), shape.width(),
                preActivate, coefficient);
        this.hutchinson = sd.placeHolder(hutchinsonName(), g.dtype(), shape.batchShape());
        this.rouletteWeights = sd.placeHolder(rouletteName(), g.dtype(), -1, series.capacity());
        this.termCoefficients = sd.placeHolder(name + "/series_signs", g.dtype(), 1, series.capacity());
        g.registerStochastic(this);
    }

    @Override
    public String name() {
        return name;
    }

    public SeriesOptions series() {
        return series;
    }

    public String hutchinsonName() {
        return name + "/hutchinson";
    }

    public String rouletteName() {
        return name + "/roulette";
    }

    /** The convolutions whose spectral norms {@link #renormalise} refines. */
    List<SpectralNormConv> convolutions() {
        return net.convolutions();
    }

    /** Power iteration on every convolution of g (after each optimiser step, before evaluation). */
    @Override
    public void renormalise() {
        for (SpectralNormConv conv : net.convolutions()) {
            conv.updateSpectralNorm();
        }
    }

    /**
     * Draws this block's Hutchinson vectors (one per example) and one roulette truncation for the
     * batch, as the reference code does, into the placeholders.
     *
     * @throws SeriesCapacityException when the draw needs more terms than the graph holds
     */
    @Override
    public void feed(Map<String, INDArray> inputs, long batch, SplittableRandom rng) {
        int drawn = series.roulette().sample(rng);
        if (series.nExact() + drawn > series.capacity()) {
            throw new SeriesCapacityException(name, series.nExact() + drawn);
        }
        double[] weights = series.roulette().weights(drawn, series.nExact(), series.capacity());
        inputs.put(rouletteName(), Nd4j.create(weights, new long[] {1, weights.length}, DataType.DOUBLE)
                .repeat(0, batch).castTo(g.dtype()));
        inputs.put(hutchinsonName(), gaussian(rng, batch));
        feedSigns(inputs);
    }

    /** The series' fixed coefficients (-1)^(k+1) / k, k = 1..capacity. */
    void feedSigns(Map<String, INDArray> inputs) {
        double[] signs = new double[series.capacity()];
        for (int k = 1; k <= signs.length; k++) {
            signs[k - 1] = (k % 2 == 1 ? 1.0 : -1.0) / k;
        }
        inputs.put(name + "/series_signs", Nd4j.create(signs, new long[] {1, signs.length}, DataType.DOUBLE).castTo(g.dtype()));
    }

    private INDArray gaussian(SplittableRandom rng, long batch) {
        double[] values = new double[Math.toIntExact(batch * shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextGaussian();
        }
        return Nd4j.create(values, new long[] {batch, shape.channels(), shape.height(), shape.width()}, DataType.DOUBLE)
                .castTo(g.dtype());
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        ResidualNet.Weights w = net.weights(sd);
        ResidualNet.Pass pass = net.apply(sd, x, w);
        SDVariable y = x.add(pass.output());
        SDVariable logDet = series.gradient() == GradientMode.NEUMANN ? neumann(pass, w) : powerSeries(pass, w);
        return new Transformed(y, logDet);
    }

    /** The estimate sum_k (-1)^(k+1)/k c_k v^T J^k v over the graph's capacity [N] (c_k the roulette weights). */
    private SDVariable powerSeries(ResidualNet.Pass pass, ResidualNet.Weights w) {
        SDVariable[] traces = new SDVariable[series.capacity()];
        SDVariable t = hutchinson;
        for (int k = 0; k < traces.length; k++) {
            t = net.jacobianTimes(pass, w, t);
            traces[k] = hutchinson.mul(t).sum(1, 2, 3);
        }
        return sd.stack(1, traces).mul(termCoefficients).mul(rouletteWeights).sum(1);
    }

    /**
     * The Neumann gradient estimator. By the cyclic trace, d log det(I + J) = tr((I + J)^-1 dJ)
     * = sum_k (-1)^k tr(dJ J^k), estimated by v^T dJ u with u = sum_k (-1)^k c_k J^k v (c_0 = 1,
     * c_k the roulette weights): the gradient of the surrogate v^T J(x) sg(u). The series and u are
     * computed by a forward-only request ({@link StochasticLayer#precompute}) and come back as placeholders, so
     * they are not ancestors of the loss: the backward graph holds one J u, whatever the number of
     * terms (SameDiff's stop_gradient would still backpropagate zeros through the whole series).
     * Both are built as running sums with every partial sum named, so that the request asks for the
     * partial sums at the draw's length and only the drawn terms are computed, not the graph's whole
     * capacity. The reported value is the series estimate: series + surrogate - sg(surrogate).
     */
    private SDVariable neumann(ResidualNet.Pass pass, ResidualNet.Weights w) {
        SDVariable weights = rouletteWeights.mul(termCoefficients);
        SDVariable t = hutchinson;
        SDVariable u = hutchinson;
        SDVariable value = null;
        for (int k = 1; k <= series.capacity(); k++) {
            t = net.jacobianTimes(pass, w, t);
            SDVariable weight = sd.slice(rouletteWeights, new int[] {0, k - 1}, -1, 1);
            SDVariable term = hutchinson.mul(t).sum(true, 1, 2, 3).reshape(-1, 1).mul(sd.slice(weights, new int[] {0, k - 1}, -1, 1));
            value = value == null ? term : value.add(term);
            sd.reshape(seriesValueName(k), value, -1);
            SDVariable weighted = t.mul(sd.reshape(weight, -1, 1, 1, 1));
            u = k % 2 == 1 ? u.sub(weighted) : u.add(weighted);
            u.rename(neumannVectorName(k));
        }
        SDVariable seriesIn = sd.placeHolder(name + "/series", g.dtype(), -1);
        SDVariable uIn = sd.placeHolder(name + "/neumann_u", g.dtype(), shape.batchShape());
        SDVariable surrogate = hutchinson.mul(net.jacobianTimes(pass, w, uIn)).sum(1, 2, 3);
        return seriesIn.add(surrogate).sub(new StopGradient(sd, surrogate).outputVariable());
    }

    private String seriesValueName(int terms) {
        return name + "/series_value_" + terms;
    }

    private String neumannVectorName(int terms) {
        return name + "/neumann_u_value_" + terms;
    }

    /**
     * For {@code gradient = neumann}: the series value and u, computed forward-only before the training
     * graph runs, as partial sums over the terms the draws in {@code inputs} weight (the longest
     * example's draw, at least n-exact).
     */
    @Override
    public Map<String, String> precomputedInputs(Map<String, INDArray> inputs) {
        if (series.gradient() != GradientMode.NEUMANN) {
            return Map.of();
        }
        int terms = drawnTerms(inputs.get(rouletteName()));
        return Map.of(name + "/series", seriesValueName(terms), name + "/neumann_u", neumannVectorName(terms));
    }

    /** The number of leading series terms with a non-zero weight in some row of a roulette placeholder [N, capacity]. */
    private int drawnTerms(INDArray weights) {
        int terms = series.nExact();
        for (long k = weights.size(1) - 1; k >= terms; k--) {
            if (weights.getColumn(k).amaxNumber().doubleValue() > 0) {
                return (int) k + 1;
            }
        }
        return terms;
    }

    /**
     * x from y by the fixed point x <- y - g(x), from x0 = y - g(y), until no element moves by more
     * than tol + tol |y| (tol 1e-5; 1e-10 in float64) or {@value #MAX_INVERSE_ITERATIONS} rounds; {@link #inverseIterationsName}
     * holds the rounds used. The log-det is the estimate at the recovered x, negated (it needs the
     * placeholders of {@link #feed}; the recovered x does not).
     */
    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        ResidualNet.Weights w = net.weights(sd);
        List<SDVariable> carried = w.tensors();
        double tol = g.dtype() == DataType.DOUBLE ? INVERSE_TOLERANCE_DOUBLE : INVERSE_TOLERANCE;
        SDVariable tolerance = sd.math().abs(y).mul(tol).add(tol);
        SDVariable x0 = y.sub(net.apply(sd, y, w).output());
        List<SDVariable> loopVars = new ArrayList<>(List.of(sd.constant(Nd4j.scalar(g.dtype(), 0)), x0, y, y, tolerance));
        loopVars.addAll(carried);
        SDVariable[] out = sd.whileLoop(loopVars.toArray(SDVariable[]::new),
                (s, v) -> s.math().and(v[0].lt(MAX_INVERSE_ITERATIONS),
                        s.math().abs(v[1].sub(v[2])).sub(v[4]).max().gt(0.0)),
                (s, v) -> {
                    SDVariable[] next = v.clone();
                    next[0] = v[0].add(1.0);
                    next[1] = v[3].sub(net.apply(s, v[1], w.from(v, 5)).output());
                    next[2] = v[1];
                    return next;
                });
        inverseIterations = out[0].name();
        SDVariable x = out[1];
        return new Transformed(x, powerSeries(net.apply(sd, x, w), w).neg());
    }

    /** The variable holding the fixed-point rounds of the last inverse built (null before). */
    @Override
    public String inverseIterationsName() {
        return inverseIterations;
    }

    @Override
    public int inverseIterationCap() {
        return MAX_INVERSE_ITERATIONS;
    }
}
