package io.flowbench.flow;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test inputs and parameters drawn element by element from a seeded stream, the same on every backend. */
public final class RandomArrays {
    private RandomArrays() {
    }

    /** Fills {@code a} in place with values uniform on [-width/2, width/2) and returns it. */
    public static INDArray fillUniform(INDArray a, SplittableRandom rng, double width) {
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, width * (rng.nextDouble() - 0.5));
        }
        return a;
    }
}
