package io.flowbench.samediff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rewritten backward graph against the one SameDiff builds, in double precision, run the way training
 * runs it (array cache on, second call); each case also checks that the rewrite took place.
 */
class BackwardRewritesTest {
    private static final long[] MAP = {3, 5, 4, 6};

    @Test
    void aOneByOneConvolutionsGradientsAreConv2dBps() {
        assertRewrittenGradientsEqual(Conv1x1Backward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 1, 1, MAP[3], 7).subi(0.5)), sd.var("b", Nd4j.rand(DataType.DOUBLE, 7)), 1),
                "x", "w", "b");
    }

    @Test
    void aOneByOneConvolutionWithoutBiasHasConv2dBpsGradients() {
        assertRewrittenGradientsEqual(Conv1x1Backward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 1, 1, MAP[3], 7).subi(0.5)), null, 1), "x", "w");
    }

    @Test
    void reluHasScalarMaxsGradient() {
        assertRewrittenGradientsEqual(Step.class, SameDiffOps::relu, "x");
    }

    @Test
    void aThreeByThreeConvolutionWithAThinInputHasConv2dBpsGradients() {
        assertRewrittenGradientsEqual(ThinConvBackward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 3, MAP[3], 9).subi(0.5)), sd.var("b", Nd4j.rand(DataType.DOUBLE, 9)), 3),
                "x", "w", "b");
    }

    @Test
    void aThreeByThreeConvolutionWithAThinOutputHasConv2dBpsGradients() {
        assertRewrittenGradientsEqual(ThinConvBackward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 3, MAP[3], 2).subi(0.5)), sd.var("b", Nd4j.rand(DataType.DOUBLE, 2)), 3),
                "x", "w", "b");
    }

    /** A kernel wider than the map (5 on a 5 x 4 map), whose offsets reach past every border. */
    @Test
    void aFiveByFiveConvolutionWithoutBiasHasConv2dBpsGradients() {
        assertRewrittenGradientsEqual(ThinConvBackward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 5, 5, MAP[3], 3).subi(0.5)), null, 5), "x", "w");
        assertRewrittenGradientsEqual(ThinConvBackward.class, (sd, x) -> SameDiffOps.conv2dNhwc(sd, x,
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 5, 5, MAP[3], 11).subi(0.5)), null, 5), "x", "w");
    }

    /**
     * Ops of one backward pass share their thread's work arrays ({@link WorkArrays}): a thin convolution's gradient
     * and a channel factor's, each smaller than the one run before it, read views of the start of the larger arrays.
     */
    @Test
    void gradientsSharingWorkArraysAreConv2dBpsAndMultiplyBps() {
        assertRewrittenGradientsEqual(ThinConvBackward.class, (sd, x) -> {
            SDVariable thinOutput = SameDiffOps.conv2dNhwc(sd, x.mul(sd.var("s", Nd4j.rand(DataType.DOUBLE, 1, MAP[1], 1, 1).addi(0.5))),
                    sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 3, MAP[3], 2).subi(0.5)), null, 3);
            return SameDiffOps.conv2dNhwc(sd, thinOutput, sd.var("v", Nd4j.rand(DataType.DOUBLE, 5, 5, 2, 11).subi(0.5)), null, 5);
        }, "x", "s", "w", "v");
    }

    @Test
    void aChannelFactorHasMultiplyBpsGradients() {
        assertRewrittenGradientsEqual(MultiplyBackward.class,
                (sd, x) -> x.mul(sd.var("s", Nd4j.rand(DataType.DOUBLE, 1, MAP[1], 1, 1).addi(0.5))), "x", "s");
        assertRewrittenGradientsEqual(MultiplyBackward.class,
                (sd, x) -> sd.var("s", Nd4j.rand(DataType.DOUBLE, 1, MAP[1], 1, 1).addi(0.5)).mul(x), "x", "s");
    }

    @Test
    void aProductOfTwoMapsHasMultiplyBpsGradients() {
        assertRewrittenGradientsEqual(MultiplyBackward.class,
                (sd, x) -> x.mul(sd.var("s", Nd4j.rand(DataType.DOUBLE, MAP).addi(0.5))), "x", "s");
    }

    /** Broadcasts other than a channel factor go to libnd4j's multiply_bp from inside the rewritten op. */
    @Test
    void otherBroadcastsHaveMultiplyBpsGradients() {
        assertRewrittenGradientsEqual(MultiplyBackward.class,
                (sd, x) -> x.mul(sd.var("s", Nd4j.rand(DataType.DOUBLE, MAP[3]).addi(0.5))), "x", "s");
        assertRewrittenGradientsEqual(MultiplyBackward.class,
                (sd, x) -> x.mul(sd.var("s", Nd4j.rand(DataType.DOUBLE, 1, 1, 1, MAP[3]).addi(0.5))), "x", "s");
    }

    @Test
    void wideConvolutionsAreLeftToConv2dBp() {
        long wide = ThinConvBackward.MAX_THIN_CHANNELS + 1;
        SameDiff sd = graph((g, x) -> SameDiffOps.conv2dNhwc(g,
                SameDiffOps.conv2dNhwc(g, x, g.var("w1", Nd4j.rand(DataType.DOUBLE, 3, 3, MAP[3], wide)), null, 3),
                g.var("w2", Nd4j.rand(DataType.DOUBLE, 3, 3, wide, wide)), null, 3));
        sd.createGradFunction();
        SameDiff backward = sd.getFunction("grad");
        BackwardRewrites.apply(backward);
        assertEquals(1, backward.getOps().values().stream().filter(op -> op.getOp() instanceof ThinConvBackward).count(),
                "only the thin first convolution is rewritten");
        assertEquals(1, backward.getOps().values().stream().filter(op -> "conv2d_bp".equals(op.getOp().opName())).count());
    }

    /**
     * The session's cache keeps the maps the rewritten ops read and write, as it does ND4J's ops': an array
     * whose buffer use count an op left raised (a reshape view, an unpurged context) is refused by the
     * cache, and allocated afresh by every later step.
     */
    @Test
    void theCacheKeepsTheArraysTheRewrittenOpsUse() {
        assertTheCacheKeepsTheMaps((sd, x) -> SameDiffOps.conv2dNhwc(sd, SameDiffOps.relu(sd, x),
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 1, 1, MAP[3], 7)), sd.var("b", Nd4j.rand(DataType.DOUBLE, 7)), 1), 7);
        assertTheCacheKeepsTheMaps((sd, x) -> SameDiffOps.conv2dNhwc(sd, SameDiffOps.relu(sd, x),
                sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 3, MAP[3], 2)), sd.var("b", Nd4j.rand(DataType.DOUBLE, 2)), 3), 2);
    }

    private static void assertTheCacheKeepsTheMaps(BiFunction<SameDiff, SDVariable, SDVariable> f, long outputChannels) {
        SameDiff reference = graph(f);
        reference.createGradFunction();
        SameDiff rewritten = graph(f);
        GradientFunction.create(rewritten);
        gradients(reference, "x", "w", "b");
        gradients(rewritten, "x", "w", "b");
        long[] inputMap = MAP;
        long[] outputMap = {MAP[0], MAP[1], MAP[2], outputChannels};
        for (long[] shape : List.of(inputMap, outputMap)) {
            int expected = session(reference).cachedArrays(DataType.DOUBLE, shape);
            assertTrue(expected > 0, "the reference keeps maps of " + Arrays.toString(shape));
            assertEquals(expected, session(rewritten).cachedArrays(DataType.DOUBLE, shape), "cached maps of " + Arrays.toString(shape));
        }
    }

    private static FlowSession session(SameDiff sd) {
        return (FlowSession) sd.getFunction("grad").getSessions().values().iterator().next();
    }

    private static void assertRewrittenGradientsEqual(Class<?> rewrittenTo, BiFunction<SameDiff, SDVariable, SDVariable> f,
                                                      String... wrt) {
        SameDiff reference = graph(f);
        reference.createGradFunction();
        SameDiff rewritten = graph(f);
        GradientFunction.create(rewritten);
        assertTrue(rewritten.getFunction("grad").getOps().values().stream().anyMatch(op -> rewrittenTo.isInstance(op.getOp())),
                "the backward graph has a " + rewrittenTo.getSimpleName());
        Map<String, INDArray> expected = gradients(reference, wrt);
        Map<String, INDArray> actual = gradients(rewritten, wrt);
        for (String name : wrt) {
            INDArray e = expected.get(name);
            INDArray a = actual.get(name);
            assertArrayEquals(e.shape(), a.shape(), "dL/d" + name + " shape");
            double err = e.sub(a).amaxNumber().doubleValue();
            assertTrue(err < 1e-12 * Math.max(1, e.amaxNumber().doubleValue()), "dL/d" + name + " differs by " + err);
            assertTrue(e.amaxNumber().doubleValue() > 0.1, "dL/d" + name + " should not be trivially zero");
        }
    }

    /** sum(f(x) * r) for fixed random x (with exact zeros, where ReLU's derivative is 0) and r. */
    private static SameDiff graph(BiFunction<SameDiff, SDVariable, SDVariable> f) {
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        INDArray x = Nd4j.rand(DataType.DOUBLE, MAP).subi(0.5);
        x.putScalar(0, 0.0);
        SDVariable y = f.apply(sd, sd.var("x", x));
        y.mul(sd.constant("r", Nd4j.rand(DataType.DOUBLE, y.eval().shape()))).sum().rename("loss").markAsLoss();
        return sd;
    }

    private static Map<String, INDArray> gradients(SameDiff sd, String... wrt) {
        String[] names = new String[wrt.length];
        for (int i = 0; i < wrt.length; i++) {
            names[i] = sd.getVariable(wrt[i]).gradient().name();
        }
        GradientFunction.execute(sd, Map.of(), names);
        Map<String, INDArray> second = GradientFunction.execute(sd, Map.of(), names);
        Map<String, INDArray> byVariable = new HashMap<>();
        for (int i = 0; i < wrt.length; i++) {
            byVariable.put(wrt[i], second.get(names[i]).dup());
        }
        return byVariable;
    }
}
