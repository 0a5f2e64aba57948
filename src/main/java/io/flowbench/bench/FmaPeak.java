package io.flowbench.bench;

import io.flowbench.run.NativeThreads;
import io.flowbench.samediff.SameDiffOps;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's float32 multiply-add peak, measured as the faster of the two tuned kernels the backend
 * ships, each on one thread per core whatever thread count the benchmark itself runs with: OpenBLAS's
 * sgemm ({@value #SGEMM_SIZE}^3, what ND4J's matrix products use) and oneDNN's 1x1 convolution over
 * NHWC maps (a matrix product of [{@value #CONV_ROWS}, {@value #CONV_CHANNELS}] by a square matrix,
 * what the convolutions use). Both are needed: a library picks its kernels by CPU model, and OpenBLAS
 * 0.3.19 (inside ND4J 1.0.0-M2.1) gives AMD's Zen 4 and 5 its 256-bit Haswell kernels, which reach a
 * third of a Zen 5 core's 512-bit peak, where oneDNN uses AVX-512. Measured rather than computed from
 * /proc/cpuinfo, because the flags give the vector width but not how many FMA units a core has or how it
 * runs the widest vectors (Zen 4 runs AVX-512 on 256-bit units, Zen 5 on 512-bit ones). On a busy machine
 * the figure is low, like every other timing.
 */
public record FmaPeak(double sgemmGflopsPerSecond, double convolutionGflopsPerSecond, int threads) {
    private static final int SGEMM_SIZE = 1536;
    private static final int CONV_ROWS = 8 * 32 * 32;
    private static final int CONV_CHANNELS = 512;
    private static final int TRIES = 5;

    public static FmaPeak measure() {
        int threads = Runtime.getRuntime().availableProcessors();
        try (NativeThreads used = NativeThreads.use(threads)) {
            return new FmaPeak(sgemm(threads), convolution(), threads);
        }
    }

    /** The faster kernel's rate. */
    public double gflopsPerSecond() {
        return Math.max(sgemmGflopsPerSecond, convolutionGflopsPerSecond);
    }

    /** Which kernel set the peak. */
    public String kernel() {
        return convolutionGflopsPerSecond >= sgemmGflopsPerSecond ? "oneDNN 1x1 convolution" : "OpenBLAS sgemm";
    }

    private static double sgemm(int threads) {
        INDArray a = Nd4j.rand(DataType.FLOAT, SGEMM_SIZE, SGEMM_SIZE);
        INDArray b = Nd4j.rand(DataType.FLOAT, SGEMM_SIZE, SGEMM_SIZE);
        INDArray c = Nd4j.create(DataType.FLOAT, SGEMM_SIZE, SGEMM_SIZE);
        Blas blas = Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        blas.setMaxThreads(threads);
        try {
            return 2.0 * SGEMM_SIZE * SGEMM_SIZE * SGEMM_SIZE / fastestNanos(() -> time(() -> a.mmuli(b, c)));
        } finally {
            blas.setMaxThreads(before);
        }
    }

    private static double convolution() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 32, 32, CONV_CHANNELS);
        INDArray w = Nd4j.rand(DataType.FLOAT, 1, 1, CONV_CHANNELS, CONV_CHANNELS);
        INDArray y = Nd4j.create(DataType.FLOAT, 8, 32, 32, CONV_CHANNELS);
        Conv2D op = new Conv2D(new INDArray[] {x, w}, new INDArray[] {y}, SameDiffOps.sameConvolution(1, "NHWC"));
        return 2.0 * CONV_ROWS * CONV_CHANNELS * CONV_CHANNELS / fastestNanos(() -> time(() -> Nd4j.exec(op)));
    }

    /** The fastest of {@value #TRIES} timings after one untimed call. */
    private static long fastestNanos(LongSupplier timing) {
        timing.getAsLong();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            best = Math.min(best, timing.getAsLong());
        }
        return best;
    }

    private static long time(Runnable call) {
        long t = System.nanoTime();
        call.run();
        return System.nanoTime() - t;
    }
}
