package io.flowbench.bench;

import io.flowbench.run.ResidentMemory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak memory of a benchmark phase. Heap: the JVM's own peak per heap pool, summed (an upper bound of
 * the simultaneous peak). Resident and off-heap: {@link ResidentMemory}'s, the figures a run's
 * {@link io.flowbench.run.NativeMemoryGuard} acts on. (ND4J 1.0.0-M2.1 allocates tensors outside JavaCPP's
 * accounting, so {@code Pointer.totalBytes()} stays near 0 and ND4J's own allocation counters are not kept on
 * the CPU backend.) Both are sampled every {@value #PERIOD_MS} ms by a background thread, so that peaks inside
 * one step are seen.
 */
final class MemoryMeter implements AutoCloseable {
    static final long PERIOD_MS = 5;

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final AtomicLong offHeap = new AtomicLong();
    private final AtomicLong resident = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-memory");
        t.setDaemon(true);
        return t;
    });

    MemoryMeter() {
        reset();
        sampler.scheduleAtFixedRate(this::sample, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts a new phase: peaks from now on. */
    void reset() {
        sample(); // the pools' peaks so far count in ResidentMemory's heap share before they are reset
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        offHeap.set(0);
        resident.set(0);
        sample();
    }

    private void sample() {
        resident.accumulateAndGet(ResidentMemory.residentBytes(), Math::max);
        offHeap.accumulateAndGet(ResidentMemory.nativeBytes(), Math::max);
    }

    /** Peaks since the last {@link #reset}. */
    Memory peaks() {
        sample();
        long heap = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Memory(heap, offHeap.get(), resident.get());
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
