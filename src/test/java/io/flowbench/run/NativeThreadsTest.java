package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The native threads are the calling thread's own: set, read and given back there, and only there. */
class NativeThreadsTest {
    @Test
    void aThreadSetsItsOwnThreadsAndGetsTheOldOnesBack() throws Exception {
        int before = NativeThreads.current();
        int other = before + 2;
        try (NativeThreads used = NativeThreads.use(other)) {
            assertEquals(other, NativeThreads.current());
            assertEquals(before, CompletableFuture.supplyAsync(NativeThreads::current, r -> new Thread(r).start()).get(),
                    "a new thread's threads");
            assertEquals(6.0, Nd4j.ones(2, 3).sumNumber().doubleValue(), "ops run on them");
        }
        assertEquals(before, NativeThreads.current(), "given back");
    }

    @Test
    void noThreadsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NativeThreads.use(0));
    }
}
