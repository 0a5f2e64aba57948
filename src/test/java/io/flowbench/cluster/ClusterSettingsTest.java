package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The executors' default class path, and the memory a cluster manager lets them hold. */
class ClusterSettingsTest {
    @Test
    void relativeEntriesOfTheDriversClassPathBecomeAbsolute() {
        String here = Path.of("").toAbsolutePath().toString();
        assertEquals(here + "/target/flowbench.jar:" + here + "/target/lib-cpu/*:/opt/x.jar",
                ClusterSettings.absolute("target/flowbench.jar:./target/lib-cpu/*::/opt/x.jar"));
    }

    /** The headroom above maxphysicalbytes covers the overshoot measured under a 2 GiB limit (530 MiB). */
    @Test
    void memoryOverheadLeavesHeadroomAboveTheOffHeapLimit() {
        assertEquals((2048L + 682) << 20, settings(2048L << 20).memoryOverheadBytes() >> 20 << 20);
        assertEquals((512L + 384) << 20, settings(512L << 20).memoryOverheadBytes());
    }

    private static ClusterSettings settings(long offHeap) {
        return new ClusterSettings("local", "", 1, 1L << 30, offHeap, 2, 60, "", 0, "");
    }
}
