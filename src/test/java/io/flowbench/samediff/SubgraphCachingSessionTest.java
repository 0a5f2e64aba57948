package io.flowbench.samediff;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;

/** The test suite runs graphs with the session the application installs (through {@link SameDiffSetup}). */
class SubgraphCachingSessionTest {
    @Test
    void everySessionIsASubgraphCachingOne() {
        assertInstanceOf(SubgraphCachingSession.class, SameDiff.getInferenceFactory().create(SameDiff.create()));
    }
}
