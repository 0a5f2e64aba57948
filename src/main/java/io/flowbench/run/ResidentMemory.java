package io.flowbench.run;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * The process's resident memory split into the Java heap's share and the rest ("native": ND4J's tensors, which
 * live outside JavaCPP's accounting on the CPU backend, oneDNN/OpenBLAS scratch, the native libraries, the JVM's
 * own non-heap memory). The one definition that {@link NativeMemoryGuard} acts on and {@code bench} reports.
 */
public final class ResidentMemory {
    private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    /** The most heap ever in use at once (an upper bound: the pools' peaks summed), kept across peak resets. */
    private static final AtomicLong HEAP_TOUCHED = new AtomicLong();

    private ResidentMemory() {
    }

    /** The process's resident set: heap, tensors, native libraries and their scratch memory, all together. */
    public static long residentBytes() {
        return Pointer.physicalBytes();
    }

    /** Resident memory outside the Java heap. */
    public static long nativeBytes() {
        return residentBytes() - residentHeapBytes();
    }

    /**
     * The heap's share of resident memory: the pages its pools have ever used (a page once touched stays resident),
     * at most what is committed. The committed size alone counts reserved pages never touched (a fresh JVM's native
     * memory came out negative that way). A pool's peak can be reset (bench does, per phase), so the sum is kept.
     */
    private static long residentHeapBytes() {
        long peaks = HEAP_POOLS.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return Math.min(HEAP_TOUCHED.accumulateAndGet(peaks, Math::max), Runtime.getRuntime().totalMemory());
    }
}
