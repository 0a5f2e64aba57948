package io.flowbench.flow;

import io.flowbench.verify.NumericalJacobian;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One layer in a graph of its own: forward, its log-det, and the inverse applied to the forward output. */
final class LayerHarness {
    final SameDiff sd = SameDiff.create();
    final FlowGraph graph;
    final LatentShape shape;
    final int numClasses;
    private final SDVariable condition;
    private final FlowLayer layer;

    LayerHarness(DataType dtype, LatentShape shape, int numClasses, BiFunction<FlowGraph, LatentShape, FlowLayer> make) {
        this.graph = new FlowGraph(sd, dtype, 7);
        this.shape = shape;
        this.numClasses = numClasses;
        SDVariable x = sd.placeHolder("x", dtype, shape.batchShape());
        this.condition = numClasses > 0 ? sd.placeHolder("label", dtype, -1, numClasses) : null;
        this.layer = make.apply(graph, shape);
        Transformed fwd = layer.forward(x, condition);
        fwd.value().rename("y");
        fwd.logDet().rename("logdet");
        Transformed inv = layer.inverse(fwd.value(), condition);
        inv.value().rename("x_back");
        inv.logDet().rename("inverse_logdet");
    }

    /**
     * Adds the layer's {@link FlowLayer#forwardTraced} on x and upstream shares fed as "shares":
     * outputs "y_traced", "logdet_traced" and "shares_out".
     */
    LayerHarness traced() {
        SDVariable shares = sd.placeHolder("shares", graph.dtype(), shape.batchShape());
        Traced t = layer.forwardTraced(sd.getVariable("x"), shares, condition);
        t.out().value().rename("y_traced");
        t.out().logDet().rename("logdet_traced");
        t.shares().rename("shares_out");
        return this;
    }

    /** Moves every parameter away from its initial value (zero-initialised nets start as the identity). */
    LayerHarness perturb(double std, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                INDArray arr = v.getArr();
                for (long i = 0; i < arr.length(); i++) {
                    arr.putScalar(i, arr.getDouble(i) + std * rng.nextGaussian());
                }
            }
        }
        return this;
    }

    INDArray input(int n, long seed) {
        INDArray x = Nd4j.zeros(graph.dtype(), n, shape.channels(), shape.height(), shape.width());
        return RandomArrays.fillUniform(x, new SplittableRandom(seed), 1);
    }

    Map<String, INDArray> feed(INDArray x) {
        Map<String, INDArray> in = new java.util.HashMap<>(Map.of("x", x));
        if (numClasses > 0) {
            INDArray labels = Nd4j.zeros(graph.dtype(), x.size(0), numClasses);
            for (int i = 0; i < x.size(0); i++) {
                labels.putScalar(i, i % numClasses, 1.0);
            }
            in.put("label", labels);
        }
        return in;
    }

    Map<String, INDArray> run(INDArray x) {
        return sd.output(feed(x), "y", "logdet", "x_back", "inverse_logdet");
    }

    /** log|det| of the finite-difference Jacobian at x [1, C, H, W] (same label for every perturbed copy). */
    double numericLogDet(INDArray x) {
        return NumericalJacobian.logAbsDet(flatForward(x), x, 1e-5);
    }

    /** The finite-difference Jacobian at x [1, C, H, W], D x D in flat order. */
    RealMatrix numericJacobian(INDArray x) {
        return NumericalJacobian.jacobian(flatForward(x), x, 1e-5);
    }

    /** Batches [B, C, H, W] to flat outputs [B, D], every copy with x's label. */
    private UnaryOperator<INDArray> flatForward(INDArray x) {
        return batch -> {
            Map<String, INDArray> in = feed(batch);
            if (numClasses > 0) {
                in.put("label", Nd4j.repeat(feed(x).get("label"), (int) batch.size(0)).reshape(batch.size(0), numClasses));
            }
            INDArray y = sd.output(in, "y").get("y");
            return y.reshape(y.size(0), y.length() / y.size(0));
        };
    }
}
