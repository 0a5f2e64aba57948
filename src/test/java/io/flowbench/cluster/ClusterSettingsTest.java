package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The executors' default class path: the driver's own, usable from the executors' work directories. */
class ClusterSettingsTest {
    @Test
    void relativeEntriesOfTheDriversClassPathBecomeAbsolute() {
        String here = Path.of("").toAbsolutePath().toString();
        assertEquals(here + "/target/flowbench.jar:" + here + "/target/lib-cpu/*:/opt/x.jar",
                ClusterSettings.absolute("target/flowbench.jar:./target/lib-cpu/*::/opt/x.jar"));
    }
}
