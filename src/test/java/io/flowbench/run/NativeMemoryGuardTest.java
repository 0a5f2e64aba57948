package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The guard frees dropped tensors' native memory, does not collect in vain over memory that is alive, and leaves
 * JavaCPP initialised by the thread that starts it. Each case runs in a fresh JVM ({@link #main}): the suite's own
 * JVM reuses native memory that earlier tests freed, so new tensors there need not raise its resident size at all,
 * and has initialised JavaCPP long before.
 */
class NativeMemoryGuardTest {
    private static final long MIB = 1 << 20;
    private static final int ARRAY_FLOATS = 8 << 20; // 32 MiB
    private static final int ARRAYS = 16;

    @Test
    void droppedTensorsAreFreedOnceOverTheThreshold() throws Exception {
        Map<String, Long> r = fork("dropped");
        assertTrue(r.get("held") > 448, "512 MiB of tensors raised native memory by only " + r.get("held") + " MiB");
        assertEquals(1, r.get("collections"), "collections with " + r.get("held") + " MiB over a 128 MiB floor: " + r);
        assertTrue(r.get("after") < 192, "native memory still " + r.get("after") + " MiB above the start after the collection");
    }

    /** The negative control: without the guard's collection the same tensors stay resident. */
    @Test
    void withoutTheCollectionDroppedTensorsStayResident() throws Exception {
        Map<String, Long> r = fork("dropped-unguarded");
        assertTrue(r.get("after") > 448, "only " + r.get("after") + " MiB still held: the measurement cannot tell");
    }

    @Test
    void memoryStillAliveRaisesTheThresholdInsteadOfCollectingAgain() throws Exception {
        Map<String, Long> r = fork("alive");
        assertEquals(1, r.get("collections"), "collections over 512 MiB that is alive");
        assertTrue(r.get("threshold") >= (long) (NativeMemoryGuard.HEADROOM * (r.get("start") + 448)),
                "threshold " + r.get("threshold") + " MiB with 512 MiB alive above " + r.get("start"));
    }

    /**
     * JavaCPP's Pointer and Loader initialise each other: a poller that were the first to touch them while the main
     * thread loads ND4J would deadlock the process. So the start initialises them; the negative control is that
     * nothing had before it.
     */
    @Test
    void startingTheGuardInitialisesJavaCppOnTheStartingThread() throws Exception {
        Map<String, Long> r = fork("start");
        assertEquals(0, r.get("before"), "JavaCPP was initialised before the guard started: the case cannot tell");
        assertEquals(1, r.get("after"), "the guard started without initialising JavaCPP, leaving that to its poller");
    }

    @Test
    void theThresholdIsNeverBelowTheBudget() {
        assertEquals(1000, NativeMemoryGuard.nextThreshold(1000, 10));
        assertEquals(1250, NativeMemoryGuard.nextThreshold(1000, 1000));
    }

    /** One case in a fresh JVM; prints its measurements (MiB, or 0/1) as key=value pairs after "result:". */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("start")) {
            long before = javaCppInitialised();
            NativeMemoryGuard guard = NativeMemoryGuard.start(1);
            System.out.printf("result: before=%d after=%d%n", before, javaCppInitialised());
            guard.close();
            System.out.flush();
            System.exit(0);
        }
        Nd4j.create(DataType.FLOAT, 1).assign(1); // loads the native libraries before the start is measured
        long start = ResidentMemory.nativeBytes();
        List<INDArray> tensors = new ArrayList<>();
        for (int i = 0; i < ARRAYS; i++) { // 512 MiB, touched
            tensors.add(Nd4j.create(DataType.FLOAT, ARRAY_FLOATS).assign(1));
        }
        long held = ResidentMemory.nativeBytes() - start;
        NativeMemoryGuard guard = NativeMemoryGuard.manual(start + 128 * MIB);
        // Reachable until here, so that no collection of the JVM's own can free them first.
        if (!args[0].equals("alive")) {
            tensors.clear();
        }
        if (!args[0].equals("dropped-unguarded")) {
            guard.check();
            guard.check();
        }
        try {
            Thread.sleep(500); // the deallocator threads free what a collection found after it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long after = ResidentMemory.nativeBytes() - start;
        // The tensor count is printed last so that "alive" keeps them reachable through the checks.
        System.out.printf("result: start=%d held=%d after=%d collections=%d threshold=%d alive=%d%n", start / MIB, held / MIB,
                after / MIB, guard.collections(), guard.threshold() / MIB, tensors.size());
        System.out.flush();
        System.exit(0);
    }

    private static Map<String, Long> fork(String scenario) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), NativeMemoryGuardTest.class.getName(), scenario)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        String line = out.lines().filter(l -> l.startsWith("result: ")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(out));
        return Arrays.stream(line.substring("result: ".length()).split(" ")).map(kv -> kv.split("="))
                .collect(Collectors.toMap(kv -> kv[0], kv -> Long.parseLong(kv[1])));
    }

    /** 1 when JavaCPP's Pointer class has been initialised, 0 if not; asking does not initialise it. */
    @SuppressWarnings("removal")
    private static long javaCppInitialised() throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Class<?> pointer = Class.forName("org.bytedeco.javacpp.Pointer", false, NativeMemoryGuardTest.class.getClassLoader());
        return ((sun.misc.Unsafe) f.get(null)).shouldBeInitialized(pointer) ? 0 : 1;
    }
}
