package io.flowbench.tracking;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target store backed by a local store that can be switched "down": then every call fails as a dead
 * server's would, or made to hang. Counts run creations (to see duplicates).
 */
final class FlakyStore {
    final LocalStore delegate;
    final TrackingStore store;
    volatile boolean down;
    final AtomicInteger createdRuns = new AtomicInteger();
    /** When set, every call hangs until it is counted down, as on a server that accepts and never answers. */
    volatile CountDownLatch hold;
    /** Calls that have waited on {@link #hold}. */
    final AtomicInteger waiting = new AtomicInteger();

    FlakyStore(Path dir) {
        this.delegate = new LocalStore(dir);
        this.store = (TrackingStore) Proxy.newProxyInstance(TrackingStore.class.getClassLoader(),
                new Class<?>[] {TrackingStore.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "describe" -> {
                            return "flaky:" + delegate.describe();
                        }
                        case "key" -> {
                            return "flaky";
                        }
                        default -> { }
                    }
                    CountDownLatch held = hold;
                    if (held != null && !method.getName().equals("close")) {
                        waiting.incrementAndGet();
                        held.await();
                    }
                    if (down && !method.getName().equals("close")) {
                        throw new TrackingException("Connection refused (simulated outage)");
                    }
                    if (method.getName().equals("createRun")) {
                        createdRuns.incrementAndGet();
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
