package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.DynamicLinear.FirstPart;
import io.flowbench.flow.DynamicLinear.Form;
import io.flowbench.flow.DynamicLinear.Options;
import io.flowbench.flow.DynamicLinear.Partition;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every layer: inverse(forward(x)) == x in float32 and float64, and the graph's log-det equals
 * log|det| of a finite-difference Jacobian in double precision, with parameters moved away from
 * their (near-identity) initialisation.
 */
class LayerNumericsTest {
    private static final LatentShape SHAPE = new LatentShape(8, 3, 2);

    static Stream<Arguments> layers() {
        return Stream.of(
                layer("actnorm", 0, (g, s) -> new ActNorm(g, "an", s)),
                layer("invconv", 0, (g, s) -> new InvertibleConv1x1(g, "ic", s, false)),
                layer("invconv+bias", 0, (g, s) -> new InvertibleConv1x1(g, "ic", s, true)),
                layer("affine coupling", 0, (g, s) -> new AffineCoupling(g, "ac", s.channels(), false, ConvNet.conditioner(6, 0))),
                layer("additive coupling", 0, (g, s) -> new AffineCoupling(g, "ac", s.channels(), true, ConvNet.conditioner(6, 0))),
                layer("affine coupling, conditional", 3, (g, s) -> new AffineCoupling(g, "ac", s.channels(), false, ConvNet.conditioner(6, 3))),
                layer("logit alpha 1e-6", 0, (g, s) -> new LogitTransform(g, s, 1e-6)),
                layer("logit alpha 0.05", 0, (g, s) -> new LogitTransform(g, s, 0.05)),
                layer("squeeze", 0, (g, s) -> new Squeeze(g, s), new LatentShape(2, 4, 2)),
                layer("factor-out mask checkerboard", 0, (g, s) -> mask(g, s, FactorOutPolicy.Kind.CHECKERBOARD)),
                layer("factor-out mask random", 0, (g, s) -> mask(g, s, FactorOutPolicy.Kind.RANDOM)),
                layer("factor-out mask per pixel", 0, (g, s) -> new FactorOutMask(g, "mask", s,
                        FactorOutPolicyTest.perPixelMask(s, 3), FactorOutMask.Packing.PER_PIXEL)),
                dlf("dlf K=2 non-inverse", 0, new Options(2, Form.NON_INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=2 inverse form", 0, new Options(2, Form.INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=2 identity first part", 0, new Options(2, Form.NON_INVERSE, Partition.EQUAL, FirstPart.IDENTITY, 1, 0)),
                dlf("dlf K=4 equal", 0, new Options(4, Form.NON_INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=4 increasing", 0, new Options(4, Form.NON_INVERSE, Partition.INCREASING, FirstPart.LEARNED, 1, -3)),
                dlf("dlf K=4 decreasing, inverse", 0, new Options(4, Form.INVERSE, Partition.DECREASING, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=8 equal", 0, new Options(8, Form.NON_INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=2 conditional", 3, new Options(2, Form.NON_INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)),
                dlf("dlf K=4 inverse, conditional", 3, new Options(4, Form.INVERSE, Partition.EQUAL, FirstPart.LEARNED, 1, 0)));
    }

    private static Arguments layer(String name, int classes, BiFunction<FlowGraph, LatentShape, FlowLayer> make) {
        return layer(name, classes, make, SHAPE);
    }

    private static Arguments layer(String name, int classes, BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        return Arguments.of(name, classes, make, shape);
    }

    private static FlowLayer mask(FlowGraph g, LatentShape s, FactorOutPolicy.Kind kind) {
        FactorOutPolicy policy = new FactorOutPolicy(kind, FactorOutPolicy.Order.HIGHEST, 0);
        return new FactorOutMask(g, "mask", s, policy.initialMask(s, 3, 0), policy.packing());
    }

    private static Arguments dlf(String name, int classes, Options options) {
        return layer(name, classes, (g, s) -> new DynamicLinear(g, "dl", s, options, ConvNet.conditioner(6, classes), classes));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void inverseRecoversInputInFloat32(String name, int classes, BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        LayerHarness h = new LayerHarness(DataType.FLOAT, shape, classes, make).perturb(0.1, 3);
        INDArray x = h.input(5, 11);
        Map<String, INDArray> out = h.run(x);
        double err = out.get("x_back").sub(x).amaxNumber().doubleValue();
        assertTrue(err < 1e-4, name + ": float32 reconstruction error " + err);
        assertTrue(name.equals("squeeze") || out.get("y").sub(x).amaxNumber().doubleValue() > 1e-3,
                name + ": the perturbed layer should not be the identity");
        assertArrayEquals(new long[] {5}, out.get("logdet").shape(), name + ": one log-det per example");
        assertArrayEquals(new long[] {5}, out.get("inverse_logdet").shape(), name + ": one inverse log-det per example");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void logDetMatchesFiniteDifferenceJacobian(String name, int classes, BiFunction<FlowGraph, LatentShape, FlowLayer> make, LatentShape shape) {
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, classes, make).perturb(0.1, 5);
        INDArray x = h.input(1, 13);
        Map<String, INDArray> out = h.run(x);
        double analytic = out.get("logdet").getDouble(0);
        double numeric = h.numericLogDet(x);
        double rel = Math.abs(analytic - numeric) / Math.max(1.0, Math.abs(numeric));
        assertTrue(rel < 1e-3, name + ": log-det " + analytic + " vs finite-difference " + numeric);
        assertEquals(-analytic, out.get("inverse_logdet").getDouble(0), 1e-9 * Math.max(1, Math.abs(analytic)),
                name + ": the inverse's log-det is the negation");
        assertTrue(out.get("x_back").sub(x).amaxNumber().doubleValue() < 1e-10, name + ": float64 reconstruction");
    }

    /** The check must be able to fail: a layer that reports a wrong log-det is caught. */
    @Test
    void wrongLogDetIsDetected() {
        BiFunction<FlowGraph, LatentShape, FlowLayer> broken = (g, s) -> new FlowLayer() {
            private final ActNorm inner = new ActNorm(g, "an", s);

            @Override
            public Transformed forward(org.nd4j.autodiff.samediff.SDVariable x, org.nd4j.autodiff.samediff.SDVariable c) {
                Transformed t = inner.forward(x, c);
                return new Transformed(t.value(), t.logDet().div(s.height())); // forgets a factor of H
            }

            @Override
            public Transformed inverse(org.nd4j.autodiff.samediff.SDVariable y, org.nd4j.autodiff.samediff.SDVariable c) {
                return inner.inverse(y, c);
            }
        };
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0, broken).perturb(0.3, 5);
        INDArray x = h.input(1, 13);
        double analytic = h.run(x).get("logdet").getDouble(0);
        double numeric = h.numericLogDet(x);
        assertTrue(Math.abs(analytic - numeric) / Math.max(1.0, Math.abs(numeric)) > 1e-3,
                "a log-det off by a factor of H must fail the check: " + analytic + " vs " + numeric);
    }

    @Test
    void actNormDataDependentInitGivesZeroMeanUnitVariancePerChannel() {
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new ActNorm(g, "an", s));
        INDArray x = h.input(32, 3).mul(4).add(1.5);
        DataDependentInit init = h.graph.dataDependentInits().get(0);
        assertEquals("x", init.inputVariable());
        init.initialiseFrom(x);
        INDArray y = h.run(x).get("y");
        INDArray mean = y.mean(0, 2, 3);
        INDArray std = y.std(false, 0, 2, 3);
        for (int c = 0; c < SHAPE.channels(); c++) {
            assertEquals(0.0, mean.getDouble(c), 1e-9, "channel " + c + " mean");
            assertEquals(1.0, std.getDouble(c), 1e-5, "channel " + c + " std");
        }
    }

    @Test
    void squeezeUsesGlowChannelOrdering() {
        LatentShape shape = new LatentShape(2, 4, 6);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, shape, 0, (g, s) -> new Squeeze(g, s));
        INDArray x = h.input(1, 3);
        INDArray y = h.run(x).get("y");
        assertEquals(8, y.size(1));
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    for (int hh = 0; hh < 2; hh++) {
                        for (int ww = 0; ww < 3; ww++) {
                            assertEquals(x.getDouble(0, c, 2 * hh + i, 2 * ww + j), y.getDouble(0, c * 4 + 2 * i + j, hh, ww), 0.0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void partSizesFollowTheReference() {
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 2, 4, 8}, DynamicLinear.partSizes(16, 4, Partition.INCREASING));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {8, 4, 2, 2}, DynamicLinear.partSizes(16, 4, Partition.DECREASING));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {4, 4, 4, 4}, DynamicLinear.partSizes(16, 4, Partition.EQUAL));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DynamicLinear.partSizes(12, 8, Partition.EQUAL));
        assertTrue(e.getMessage().contains("12 channels cannot be cut into 8 equal parts"), e.getMessage());
    }
}
