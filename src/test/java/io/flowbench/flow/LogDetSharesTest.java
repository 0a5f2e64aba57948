package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.BiFunction;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FlowLayer#forwardTraced} for every layer of {@link LayerNumericsTest}: the same output and
 * log-det as forward, and shares that account for the log-det exactly (per example they sum to the
 * upstream shares plus the layer's log-det). Element-wise layers (triangular Jacobians that keep
 * each dimension in place) give each dimension log|dy_d/dx_d| from the finite-difference Jacobian;
 * permutations move the shares with their dimensions; a 1x1 convolution pools them per pixel.
 */
class LogDetSharesTest {
    private static final long PARAMETERS = 5;

    private static Map<String, INDArray> run(LayerHarness h, INDArray x, INDArray shares) {
        Map<String, INDArray> in = h.feed(x);
        in.put("shares", shares);
        return h.sd.output(in, "y", "logdet", "y_traced", "logdet_traced", "shares_out");
    }

    private static INDArray perExample(INDArray x) {
        return x.reshape(x.size(0), x.length() / x.size(0)).sum(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.flowbench.flow.LayerNumericsTest#layers")
    void sharesSumPerExampleToTheUpstreamSharesPlusTheLayersLogDet(String name, int classes,
            BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, classes, make).perturb(0.1, PARAMETERS).traced();
        INDArray x = h.input(4, 17);
        INDArray upstream = h.input(4, 19).mul(3);
        Map<String, INDArray> out = run(h, x, upstream);
        assertEquals(0.0, out.get("y_traced").sub(out.get("y")).amaxNumber().doubleValue(), 1e-12, name + ": same output");
        assertEquals(0.0, out.get("logdet_traced").sub(out.get("logdet")).amaxNumber().doubleValue(), 1e-9,
                name + ": same log-det");
        INDArray expected = perExample(upstream).add(out.get("logdet"));
        INDArray actual = perExample(out.get("shares_out"));
        for (int n = 0; n < 4; n++) {
            assertEquals(expected.getDouble(n), actual.getDouble(n), 1e-9 * Math.max(1, Math.abs(expected.getDouble(n))),
                    name + ": example " + n + "'s shares add up to the upstream ones plus the layer's log-det");
        }
    }

    /** Layers whose Jacobian is triangular with each output dimension in its input's place. */
    private static boolean elementWise(String name) {
        return name.startsWith("actnorm") || name.contains("coupling") || name.startsWith("logit") || name.startsWith("dlf");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.flowbench.flow.LayerNumericsTest#layers")
    void elementWiseLayersGiveEachDimensionItsOwnLogScale(String name, int classes,
            BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        if (!elementWise(name)) {
            return;
        }
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, classes, make).perturb(0.1, PARAMETERS).traced();
        INDArray x = h.input(1, 23);
        INDArray shares = run(h, x, x.mul(0)).get("shares_out");
        RealMatrix jacobian = h.numericJacobian(x);
        for (int d = 0; d < shape.size(); d++) {
            assertEquals(Math.log(Math.abs(jacobian.getEntry(d, d))), shares.getDouble(d), 1e-5,
                    name + ": dimension " + d + "'s share is log|dy_d/dx_d|");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.flowbench.flow.LayerNumericsTest#layers")
    void permutationsMoveTheSharesWithTheirDimensions(String name, int classes,
            BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        if (!name.startsWith("squeeze") && !name.startsWith("factor-out mask")) {
            return;
        }
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, classes, make).traced();
        INDArray upstream = h.input(3, 29);
        INDArray moved = run(h, upstream, upstream).get("y");
        assertEquals(0.0, run(h, h.input(3, 31), upstream).get("shares_out").sub(moved).amaxNumber().doubleValue(), 0.0,
                name + ": the shares are permuted as the values are");
    }

    @Test
    void aOneByOneConvolutionPoolsEachPixelsSharesOverItsChannels() {
        LatentShape shape = new LatentShape(4, 3, 2);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, 0, (g, s) -> new InvertibleConv1x1(g, "ic", s, true))
                .perturb(0.1, PARAMETERS).traced();
        INDArray upstream = h.input(2, 37);
        Map<String, INDArray> out = run(h, h.input(2, 41), upstream);
        INDArray shares = out.get("shares_out");
        double ownPerDimension = out.get("logdet").getDouble(0) / shape.size();
        INDArray pooled = upstream.mean(true, 1);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 2; x++) {
                        assertEquals(pooled.getDouble(n, 0, y, x) + ownPerDimension, shares.getDouble(n, c, y, x), 1e-12,
                                "pixel (" + y + ", " + x + "), channel " + c);
                    }
                }
            }
        }
    }

    /** A layer without its own tracing (as a residual block) keeps the shares in place and spreads its log-det equally. */
    @Test
    void theDefaultSpreadsTheLayersLogDetEquallyOverItsDimensions() {
        LatentShape shape = new LatentShape(4, 3, 2);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, 0, (g, s) -> new FlowLayer() {
            private final AffineCoupling inner = new AffineCoupling(g, "ac", s.channels(), false, ConvNet.conditioner(6, 0));

            @Override
            public Transformed forward(SDVariable x, SDVariable c) {
                return inner.forward(x, c);
            }

            @Override
            public Transformed inverse(SDVariable y, SDVariable c) {
                return inner.inverse(y, c);
            }
        }).perturb(0.1, PARAMETERS).traced();
        INDArray upstream = h.input(2, 43);
        Map<String, INDArray> out = run(h, h.input(2, 47), upstream);
        INDArray own = out.get("shares_out").sub(upstream);
        for (int n = 0; n < 2; n++) {
            double each = out.get("logdet").getDouble(n) / shape.size();
            assertTrue(Math.abs(each) > 1e-3, "the perturbed coupling changes volume");
            INDArray row = own.slice(n);
            assertEquals(each, row.minNumber().doubleValue(), 1e-12, "example " + n);
            assertEquals(each, row.maxNumber().doubleValue(), 1e-12, "example " + n);
        }
    }
}
