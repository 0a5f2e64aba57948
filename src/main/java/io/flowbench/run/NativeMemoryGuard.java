package io.flowbench.run;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a training process's resident memory near what its runs need. ND4J frees a tensor's native memory only
 * once the garbage collector has found its Java object unreachable, and a flow's heap stays so nearly empty that
 * collections are rare: without this, resident memory grows until JavaCPP's {@code maxphysicalbytes} forces one
 * (16 GiB under bin/flowbench; ND4J's tensors bypass the {@code maxbytes} count). One experiment process was measured at 14-16 GiB that way, and two of them on a 24 GiB
 * machine were killed by the kernel. This guard asks for a collection whenever the process holds more native
 * memory ({@link ResidentMemory#nativeBytes}) than the runs' budget ({@code cluster.OffHeapEstimate}, the
 * figure cluster executors get as their limit). A budget below what the runs really hold alive would make
 * it collect again and again for nothing, so when a collection does not bring the process under it, the
 * threshold moves to 1.25 x what is still held. A collection stops the program for as long as it takes, so
 * the guard waits {@value #PAUSE_SHARE_INVERSE} times that long before the next: at most 5% of the time.
 */
public final class NativeMemoryGuard implements AutoCloseable {
    static final double HEADROOM = 1.25;
    private static final long POLL_MILLIS = 500;
    private static final int PAUSE_SHARE_INVERSE = 20;

    private final long budget;
    private final ScheduledExecutorService poller;
    private long threshold;
    private int collections;
    private long lastCollectionNanos;
    private long notBefore = System.nanoTime();

    private NativeMemoryGuard(long budgetBytes, boolean poll) {
        this.budget = budgetBytes;
        this.threshold = budgetBytes;
        this.poller = poll ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowbench-native-memory-guard");
            t.setDaemon(true);
            return t;
        }) : null;
        if (poller != null) {
            poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Starts polling every {@value #POLL_MILLIS} ms; {@link #close()} stops it. */
    public static NativeMemoryGuard start(long budgetBytes) {
        return new NativeMemoryGuard(budgetBytes, true);
    }

    /** A guard checked only by explicit {@link #check()} calls (tests). */
    static NativeMemoryGuard manual(long budgetBytes) {
        return new NativeMemoryGuard(budgetBytes, false);
    }

    private void poll() {
        long now = System.nanoTime();
        if (now - notBefore >= 0 && check()) {
            notBefore = now + PAUSE_SHARE_INVERSE * lastCollectionNanos;
        }
    }

    /** Collects when native memory is over the threshold; returns whether it did. */
    synchronized boolean check() {
        if (ResidentMemory.nativeBytes() <= threshold) {
            return false;
        }
        long start = System.nanoTime();
        System.gc();
        lastCollectionNanos = System.nanoTime() - start;
        collections++;
        threshold = nextThreshold(budget, settledNativeBytes());
        return true;
    }

    /** The threshold after each collection: the budget, or above what that collection could not free. */
    static long nextThreshold(long budget, long nativeAfterCollection) {
        return Math.max(budget, (long) (HEADROOM * nativeAfterCollection));
    }

    public long budget() {
        return budget;
    }

    /** Collections asked for so far. */
    public int collections() {
        return collections;
    }

    long threshold() {
        return threshold;
    }

    /** Native memory once the deallocator threads have freed what the collection found (they run after it). */
    private static long settledNativeBytes() {
        long lowest = ResidentMemory.nativeBytes();
        for (int i = 0, steady = 0; i < 100 && steady < 5; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = ResidentMemory.nativeBytes();
            steady = now < lowest ? 0 : steady + 1;
            lowest = Math.min(lowest, now);
        }
        return lowest;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
