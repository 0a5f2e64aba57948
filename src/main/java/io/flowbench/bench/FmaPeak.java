package io.flowbench.bench;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's float32 multiply-add peak, measured: the best of a few large matrix products (sgemm,
 * {@value #SIZE}^3) on one BLAS thread per core, whatever thread count the benchmark itself runs with.
 * Measured rather than computed from /proc/cpuinfo, because the flags give the vector width but not
 * how many FMA units a core has or how it runs the widest vectors (AMD Zen 4 runs AVX-512 on 256-bit
 * units: counting from the flags would double its peak); a tuned sgemm is what a core really reaches.
 * On a busy machine the figure is low, like every other timing.
 */
public record FmaPeak(double gflopsPerSecond, int threads) {
    private static final int SIZE = 1536;
    private static final int TRIES = 5;

    public static FmaPeak measure() {
        int threads = Runtime.getRuntime().availableProcessors();
        INDArray a = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
        INDArray b = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
        INDArray c = Nd4j.create(DataType.FLOAT, SIZE, SIZE);
        Blas blas = Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        blas.setMaxThreads(threads);
        try {
            a.mmuli(b, c);
            long best = Long.MAX_VALUE;
            for (int i = 0; i < TRIES; i++) {
                long t = System.nanoTime();
                a.mmuli(b, c);
                best = Math.min(best, System.nanoTime() - t);
            }
            return new FmaPeak(2.0 * SIZE * SIZE * SIZE / best, threads);
        } finally {
            blas.setMaxThreads(before);
        }
    }
}
