package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The guard frees dropped tensors' native memory, and does not collect in vain over memory that is alive. */
class NativeMemoryGuardTest {
    private static final long MIB = 1 << 20;
    private static final int ARRAY_FLOATS = 8 << 20; // 32 MiB

    /**
     * The tensors stay reachable until just before the check, so that no collection of the test JVM's own (other
     * tests allocate on the heap too) can free them first; without the guard's collection they stay resident.
     */
    @Test
    void droppedTensorsAreFreedOnceOverTheBudget() {
        long start = NativeMemoryGuard.nativeBytes();
        List<INDArray> dropped = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // 512 MiB, touched
            dropped.add(Nd4j.create(DataType.FLOAT, ARRAY_FLOATS).assign(1));
        }
        long held = NativeMemoryGuard.nativeBytes() - start;
        assertTrue(held > 448 * MIB, "512 MiB of tensors raised native memory by only " + held / MIB + " MiB");
        NativeMemoryGuard guard = NativeMemoryGuard.manual(start + 128 * MIB);
        dropped.clear();
        assertTrue(guard.check(), "no collection with " + held / MIB + " MiB over a 128 MiB budget");
        long after = NativeMemoryGuard.nativeBytes() - start;
        assertTrue(after < 192 * MIB, "native memory still " + after / MIB + " MiB above the start after the collection");
    }

    @Test
    void memoryStillAliveRaisesTheThresholdInsteadOfCollectingAgain() {
        long start = NativeMemoryGuard.nativeBytes();
        List<INDArray> alive = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            alive.add(Nd4j.create(DataType.FLOAT, ARRAY_FLOATS).assign(1));
        }
        NativeMemoryGuard guard = NativeMemoryGuard.manual(start + 64 * MIB);
        assertTrue(guard.check());
        assertTrue(guard.threshold() >= (long) (NativeMemoryGuard.HEADROOM * (start + 200 * MIB)),
                "threshold " + guard.threshold() / MIB + " MiB with 256 MiB alive above " + start / MIB);
        assertFalse(guard.check());
        assertEquals(1, guard.collections());
        alive.forEach(INDArray::close);
    }

    @Test
    void theThresholdIsNeverBelowTheBudget() {
        assertEquals(1000, NativeMemoryGuard.nextThreshold(1000, 10));
        assertEquals(1250, NativeMemoryGuard.nextThreshold(1000, 1000));
    }
}
