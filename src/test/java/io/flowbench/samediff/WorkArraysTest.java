package io.flowbench.samediff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class WorkArraysTest {

    @Test
    void aSlotHandsOutViewsOfOneBufferUntilAskedForMore() {
        WorkArrays work = WorkArrays.ofThisThread();
        INDArray large = work.array(WorkArrays.Slot.FIRST, DataType.FLOAT, 1 << 20);
        INDArray smaller = work.array(WorkArrays.Slot.FIRST, DataType.FLOAT, 3, 7);
        assertArrayEquals(new long[] {3, 7}, smaller.shape());
        assertArrayEquals(new long[] {7, 1}, smaller.stride());
        assertEquals(address(large), address(smaller), "a smaller array is a view of the same buffer");
        assertNotEquals(address(large), address(work.array(WorkArrays.Slot.SECOND, DataType.FLOAT, 3, 7)),
                "another slot has its own buffer");
        INDArray larger = work.array(WorkArrays.Slot.FIRST, DataType.FLOAT, 2, 1 << 20);
        assertArrayEquals(new long[] {2, 1 << 20}, larger.shape());
        assertEquals(address(larger), address(work.array(WorkArrays.Slot.FIRST, DataType.FLOAT, 1 << 20)));
        assertEquals(DataType.DOUBLE, work.array(WorkArrays.Slot.FIRST, DataType.DOUBLE, 2).dataType());
    }

    @Test
    void javaArraysAndOnesGrowToTheLargestAsked() {
        WorkArrays work = WorkArrays.ofThisThread();
        float[] current = (float[]) work.javaArray(WorkArrays.Slot.FIRST, DataType.FLOAT, 10);
        float[] larger = (float[]) work.javaArray(WorkArrays.Slot.FIRST, DataType.FLOAT, current.length + 1);
        assertEquals(current.length + 1, larger.length);
        assertSame(larger, work.javaArray(WorkArrays.Slot.FIRST, DataType.FLOAT, 10));
        assertTrue(work.javaArray(WorkArrays.Slot.FIRST, DataType.DOUBLE, 10) instanceof double[]);
        assertEquals(9.0, work.onesRow(DataType.DOUBLE, 9).sumNumber().doubleValue());
        assertArrayEquals(new long[] {1, 4}, work.onesRow(DataType.DOUBLE, 4).shape());
        assertEquals(4.0, work.onesRow(DataType.DOUBLE, 4).sumNumber().doubleValue());
    }

    /** Sessions on other threads (runs at once) run their ops at the same time: each thread has its own arrays. */
    @Test
    void eachThreadHasItsOwnWorkArrays() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            long here = address(WorkArrays.ofThisThread().array(WorkArrays.Slot.FIRST, DataType.FLOAT, 8));
            long there = CompletableFuture.supplyAsync(
                    () -> address(WorkArrays.ofThisThread().array(WorkArrays.Slot.FIRST, DataType.FLOAT, 8)), other).get();
            assertNotEquals(here, there);
        } finally {
            other.shutdownNow();
        }
    }

    private static long address(INDArray a) {
        return a.data().address() + a.offset() * a.data().getElementSize();
    }
}
