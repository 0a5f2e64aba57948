package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The coupling network computes in NHWC for speed; what it computes is the NCHW network of its
 * definition, conv3x3 -> ReLU -> conv1x1 -> ReLU -> conv3x3 (+ a linear term of the label), checked here
 * against eager NCHW convolutions of the same parameters in double precision.
 */
class ConvNetTest {
    private static final int IN = 3;
    private static final int HIDDEN = 5;
    private static final int OUT = 4;
    private static final int CLASSES = 2;

    @Test
    void equalsTheNchwNetworkOfItsDefinition() {
        SameDiff sd = SameDiff.create();
        FlowGraph g = new FlowGraph(sd, DataType.DOUBLE, 3);
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, IN, 6, 5);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, CLASSES);
        ConvNet.conditioner(HIDDEN, CLASSES).create(g, "net", IN, OUT).apply(x, label).rename("out");
        SplittableRandom rng = new SplittableRandom(11);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                RandomArrays.fillUniform(v.getArr(), rng, 1); // the zero-initialised last layers must take part
            }
        }
        INDArray in = RandomArrays.fillUniform(Nd4j.zeros(DataType.DOUBLE, 2, IN, 6, 5), rng, 1);
        INDArray labels = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}});

        INDArray out = sd.output(Map.of("x", in, "label", labels), "out").get("out");

        INDArray h = Transforms.relu(conv(in, sd, "net/conv1", 3), true);
        h = Transforms.relu(conv(h, sd, "net/conv2", 1), true);
        INDArray expected = conv(h, sd, "net/conv3", 3)
                .addi(labels.mmul(sd.getArrForVarName("net/class/w")).reshape(2, OUT, 1, 1));
        assertArrayEquals(expected.shape(), out.shape());
        double err = out.sub(expected).amaxNumber().doubleValue();
        assertTrue(err < 1e-12, "NHWC network differs from its NCHW definition by " + err);
        assertTrue(expected.amaxNumber().doubleValue() > 0.1, "the reference should not be trivially zero");
    }

    private static INDArray conv(INDArray x, SameDiff sd, String name, int kernel) {
        INDArray y = Nd4j.cnn().conv2d(x, sd.getArrForVarName(name + "/w"), SameDiffOps.sameConvolution(kernel));
        return y.addi(sd.getArrForVarName(name + "/b").reshape(1, -1, 1, 1));
    }
}
