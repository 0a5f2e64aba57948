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

    @Test
    void droppedTensorsAreFreedOnceOverTheBudget() {
        long start = NativeMemoryGuard.nativeBytes();
        NativeMemoryGuard guard = NativeMemoryGuard.manual(start + 128 * MIB);
        long peak = start;
        for (int i = 0; i < 32; i++) { // 1 GiB of garbage, touched
            Nd4j.create(DataType.FLOAT, ARRAY_FLOATS).assign(1);
            guard.check();
            peak = Math.max(peak, NativeMemoryGuard.nativeBytes());
        }
        assertTrue(peak - start < 384 * MIB, "native memory grew by " + (peak - start) / MIB + " MiB over a 128 MiB budget");
        assertTrue(guard.collections() > 0, "never over the budget");
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
