package io.flowbench.run;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a training process's resident memory near what its runs hold alive. ND4J frees a tensor's native memory
 * only once the garbage collector has found its Java object unreachable, and a flow's heap stays so nearly empty
 * that collections are rare: without this, resident memory grows until JavaCPP's {@code maxphysicalbytes} forces
 * one (16 GiB under bin/flowbench; ND4J's tensors bypass the {@code maxbytes} count). One experiment process was
 * measured at 14-16 GiB that way, and two of them on a 24 GiB machine were killed by the kernel. This guard asks
 * for a collection whenever the process's native memory ({@link ResidentMemory#nativeBytes}) has grown to
 * {@value #HEADROOM} x what the last collection left (at first, and never less than, a floor), so resident memory
 * stays within 1.25 x what is alive; after each collection the allocator's free pages go back to the system
 * ({@link FreedMemory}), or resident memory would not show what the collection freed. A fixed budget such as the
 * runs' off-heap estimate would not do: it is an upper bound made for cluster limits (13.5 GiB for a resflow run
 * that trains in 2.9), and whatever lies under it would float there. A collection (and the trim) stops the program
 * for as long as it takes, so the guard waits {@value #PAUSE_SHARE_INVERSE} times that long before the next: at
 * most 5% of the time.
 */
public final class NativeMemoryGuard implements AutoCloseable {
    static final double HEADROOM = 1.25;
    /**
     * Native memory per run below which the guard never collects. Each collection costs more than its pause: the
     * pages it hands back are faulted in again by the next steps. With a 512 MiB floor, fmnist-small's Glow (about
     * 0.6 GiB alive, 2.2-3.5 GiB resident without the guard) trained 12% slower for 25% less memory; at 3 GiB such
     * runs are left alone, while larger ones (resflow there: 16 GiB without the guard) are held near what is alive.
     */
    private static final long FLOOR_PER_RUN = 3L << 30;
    private static final long POLL_MILLIS = 500;
    private static final int PAUSE_SHARE_INVERSE = 20;

    private final long floor;
    private final ScheduledExecutorService poller;
    private long threshold;
    private int collections;
    private long lastCollectionNanos;
    private long notBefore = System.nanoTime();

    private NativeMemoryGuard(long floorBytes, boolean poll) {
        this.floor = floorBytes;
        this.threshold = floorBytes;
        this.poller = poll ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowbench-native-memory-guard");
            t.setDaemon(true);
            return t;
        }) : null;
        if (poller != null) {
            // The first reading is taken here, so that JavaCPP initialises on the starting thread: its Pointer and
            // Loader classes initialise each other, and a poller doing that while the main thread first loads ND4J
            // deadlocked the process (one start in seven, tracking to a server, which slows the main thread).
            ResidentMemory.nativeBytes();
            poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Starts polling every {@value #POLL_MILLIS} ms for {@code runs} runs at once; {@link #close()} stops it. */
    public static NativeMemoryGuard start(int runs) {
        return new NativeMemoryGuard(FLOOR_PER_RUN * Math.max(1, runs), true);
    }

    /** A guard with this floor, checked only by explicit {@link #check()} calls (tests). */
    static NativeMemoryGuard manual(long floorBytes) {
        return new NativeMemoryGuard(floorBytes, false);
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
        long collected = System.nanoTime();
        long settled = settledNativeBytes(); // sleeps while the deallocators run: not a pause of the program
        long trimStart = System.nanoTime();
        if (FreedMemory.release()) {
            settled = ResidentMemory.nativeBytes();
        }
        lastCollectionNanos = collected - start + System.nanoTime() - trimStart;
        collections++;
        threshold = nextThreshold(floor, settled);
        return true;
    }

    /** The threshold after each collection: {@value #HEADROOM} x what that collection left, at least the floor. */
    static long nextThreshold(long floor, long nativeAfterCollection) {
        return Math.max(floor, (long) (HEADROOM * nativeAfterCollection));
    }

    /** Collections asked for so far. */
    public int collections() {
        return collections;
    }

    /** The native memory above which the next check collects. */
    public long threshold() {
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
