package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class TrackingTargetTest {

    @Test
    void emptyMeansTheDefaultLocalStore() {
        assertEquals(new TrackingTarget(Path.of("mlruns"), Optional.empty()), TrackingTarget.parse(null));
        assertEquals(new TrackingTarget(Path.of("mlruns"), Optional.empty()), TrackingTarget.parse("  "));
    }

    @Test
    void pathsAndFileUrisAreLocalStores() {
        assertEquals(Path.of("runs/here"), TrackingTarget.parse("runs/here").localStore());
        assertEquals(Path.of("/tmp/x"), TrackingTarget.parse("file:///tmp/x").localStore());
        assertEquals(Path.of("./mlruns"), TrackingTarget.parse("file:./mlruns").localStore());
        assertTrue(TrackingTarget.parse("/abs/mlruns").server().isEmpty());
    }

    @Test
    void httpIsAServerMirroredFromTheLocalStore() {
        TrackingTarget t = TrackingTarget.parse("http://127.0.0.1:5000", Path.of("local"));
        assertEquals(Optional.of(URI.create("http://127.0.0.1:5000")), t.server());
        assertEquals(Path.of("local"), t.localStore());
        assertTrue(TrackingTarget.parse("HTTPS://mlflow.example.org/prefix").server().isPresent());
    }

    @Test
    void otherBackendsAreExplained() {
        TrackingException e = assertThrows(TrackingException.class, () -> TrackingTarget.parse("sqlite:///mlflow.db"));
        assertTrue(e.getMessage().contains("mlflow server --backend-store-uri sqlite:///mlflow.db"), e.getMessage());
        assertThrows(TrackingException.class, () -> TrackingTarget.parse("databricks"));
        assertThrows(TrackingException.class, () -> TrackingTarget.parse("databricks://profile"));
        assertThrows(TrackingException.class, () -> TrackingTarget.parse("http:///nohost"));
    }
}
