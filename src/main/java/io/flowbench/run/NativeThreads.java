package io.flowbench.run;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The native (OpenMP) threads that ND4J's ops start from the calling thread: oneDNN's convolutions, OpenBLAS's
 * products and libnd4j's loops. OpenMP keeps this count per thread, so each thread sets its own (a new thread
 * starts from OMP_NUM_THREADS, or one per core). ND4J 1.0.0-M2.1's {@code Environment.setMaxThreads} changes
 * nothing: two runs trained at once, each "given" one thread that way, trained on two threads each, spinning
 * against each other on 2 cores (200 steps of fmnist-small's Glow in 61 s; 46 s on one thread each).
 */
public final class NativeThreads implements AutoCloseable {
    private final int before;

    private NativeThreads(int threads) {
        before = current();
        nativeOps().setOmpNumThreads(threads);
    }

    /** The threads the calling thread's ops run on. */
    public static int current() {
        return nativeOps().ompGetMaxThreads();
    }

    /** The calling thread's ops run on {@code threads} threads (more than the cores too) until {@link #close()}. */
    public static NativeThreads use(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("native threads: " + threads + " (1 or more)");
        }
        return new NativeThreads(threads);
    }

    /** Back to the threads the calling thread had before; call it from the thread that called {@link #use}. */
    @Override
    public void close() {
        nativeOps().setOmpNumThreads(before);
    }

    private static NativeOps nativeOps() {
        Nd4j.getBackend(); // the holder reads the backend's properties, set when ND4J starts
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
