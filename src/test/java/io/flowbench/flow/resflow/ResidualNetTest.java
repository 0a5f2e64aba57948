package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.RandomArrays;
import io.flowbench.samediff.SameDiffOps;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * g and its Jacobian-vector product compute in NHWC for speed; what they compute is the NCHW definition,
 * LipSwish -> conv3x3 -> LipSwish -> conv1x1 -> LipSwish -> conv3x3 and J v = W3 (d2 * W2 (d1 * W1 (d0 * v))),
 * checked here against eager NCHW convolutions of the same normalised weights in double precision.
 */
class ResidualNetTest {
    private static final int CHANNELS = 2;
    private static final int HEIGHT = 6;
    private static final int WIDTH = 5;

    @Test
    void valueAndJacobianProductEqualTheNchwDefinition() {
        SameDiff sd = SameDiff.create();
        FlowGraph g = new FlowGraph(sd, DataType.DOUBLE, 5);
        ResidualNet net = new ResidualNet(g, "g", 3, CHANNELS, 5, HEIGHT, WIDTH, true, 0.9);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, CHANNELS, HEIGHT, WIDTH);
        SDVariable v = sd.placeHolder("v", DataType.DOUBLE, -1, CHANNELS, HEIGHT, WIDTH);
        ResidualNet.Weights w = net.weights(sd);
        ResidualNet.Pass pass = net.apply(sd, x, w);
        pass.output().rename("gx");
        net.jacobianTimes(pass, w, v).rename("jv");
        SplittableRandom rng = new SplittableRandom(2);
        for (SDVariable p : sd.variables()) {
            if (p.getVariableType() == VariableType.VARIABLE) {
                RandomArrays.fillUniform(p.getArr(), rng, 0.6);
            }
        }
        INDArray xs = RandomArrays.fillUniform(Nd4j.zeros(DataType.DOUBLE, 2, CHANNELS, HEIGHT, WIDTH), rng, 2);
        INDArray vs = RandomArrays.fillUniform(Nd4j.zeros(DataType.DOUBLE, 2, CHANNELS, HEIGHT, WIDTH), rng, 2);
        String[] weights = {w.w1().name(), w.w2().name(), w.w3().name(),
            w.preSlope().name(), w.slope1().name(), w.slope2().name()};
        Map<String, INDArray> out = sd.output(Map.of("x", xs, "v", vs),
                "gx", "jv", weights[0], weights[1], weights[2], weights[3], weights[4], weights[5]);

        INDArray h = lipSwish(xs, out.get(weights[3]));
        INDArray d0 = derivative(xs, out.get(weights[3]));
        INDArray z1 = conv(h, out.get(weights[0]), sd, "g/conv1", 3);
        INDArray z2 = conv(lipSwish(z1, out.get(weights[4])), out.get(weights[1]), sd, "g/conv2", 1);
        INDArray gx = conv(lipSwish(z2, out.get(weights[5])), out.get(weights[2]), sd, "g/conv3", 3);
        INDArray jv = conv(vs.mul(d0), out.get(weights[0]), null, null, 3).muli(derivative(z1, out.get(weights[4])));
        jv = conv(jv, out.get(weights[1]), null, null, 1).muli(derivative(z2, out.get(weights[5])));
        jv = conv(jv, out.get(weights[2]), null, null, 3);

        assertClose(gx, out.get("gx"), "g(x)");
        assertClose(jv, out.get("jv"), "J v");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = expected.amaxNumber().doubleValue();
        double err = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(err < 1e-12 * scale, what + " in NHWC differs from its NCHW definition by " + err + " (largest value " + scale + ")");
        assertTrue(scale > 1e-3, what + ": the reference should not be trivially small, largest value " + scale);
    }

    /** z * sigmoid(b z) / 1.1, b the slope (a scalar). */
    private static INDArray lipSwish(INDArray z, INDArray slope) {
        return z.mul(Transforms.sigmoid(z.mul(slope.getDouble(0)), true)).divi(1.1);
    }

    private static INDArray derivative(INDArray z, INDArray slope) {
        INDArray bz = z.mul(slope.getDouble(0));
        INDArray s = Transforms.sigmoid(bz, true);
        return s.add(bz.mul(s).mul(s.rsub(1.0))).divi(1.1);
    }

    /** Eager NCHW convolution with the given weights, plus the named layer's bias when sd is given. */
    private static INDArray conv(INDArray x, INDArray weights, SameDiff sd, String name, int kernel) {
        INDArray y = Nd4j.cnn().conv2d(x, weights, SameDiffOps.sameConvolution(kernel));
        return sd == null ? y : y.addi(sd.getArrForVarName(name + "/b").reshape(1, -1, 1, 1));
    }
}
