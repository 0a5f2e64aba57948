package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The block's inverse and the estimator's basic bookkeeping. */
class IResBlockTest {
    private static final SeriesOptions SERIES = new SeriesOptions(Roulette.POISSON, 2, 30, GradientMode.BACKPROP_SERIES);

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void inverseRecoversInput(DataType dtype) {
        check(new BlockHarness(dtype, new LatentShape(3, 4, 4), 8, true, SERIES).amplify(5), h -> h.input(5, 3), dtype);
        // Lip(g) near c^3: the fixed point needs many rounds.
        check(new BlockHarness(dtype, new LatentShape(3, 4, 4), 3, true, SERIES).strongJacobian(2),
                h -> h.input(5, 3).mul(0.2).add(1.5), dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void fullyConnectedInverseRecoversInput(DataType dtype) {
        check(BlockHarness.fullyConnected(dtype, 48, 16, true, SERIES).amplify(5), h -> h.input(5, 3), dtype);
        check(BlockHarness.fullyConnected(dtype, 48, 6, true, SERIES).strongJacobian(2),
                h -> h.input(5, 3).mul(0.2).add(1.5), dtype);
    }

    private static void check(BlockHarness h, java.util.function.Function<BlockHarness, INDArray> input, DataType dtype) {
        INDArray x = input.apply(h);
        Map<String, INDArray> out = h.sd.output(h.feed(x, 1), "x_back", h.block.inverseIterationsName());
        double error = out.get("x_back").sub(x).amax().maxNumber().doubleValue() / x.amax().maxNumber().doubleValue();
        System.out.println(dtype + " inverse error " + error + " after " + out.get(h.block.inverseIterationsName()) + " rounds");
        assertTrue(error < (dtype == DataType.FLOAT ? 1e-4 : 1e-7), "relative error " + error);
    }
}
