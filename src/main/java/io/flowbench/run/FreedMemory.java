package io.flowbench.run;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Hands memory that native code has freed back to the operating system. glibc's allocator keeps freed blocks in
 * its arenas for reuse, so after a collection frees gigabytes of ND4J's tensors the resident size need not fall at
 * all (a resflow bench stayed at 11.6 GiB after ten collections); {@code malloc_trim(0)} releases every free page of
 * every arena. JNA calls it, since neither the JDK nor JavaCPP 1.5.7 exposes it; elsewhere than glibc it does nothing.
 */
final class FreedMemory {
    private interface C extends Library {
        int malloc_trim(long pad);
    }

    private static final C LIBC = load();

    private FreedMemory() {
    }

    private static C load() {
        try {
            return Native.loadLibrary("c", C.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null; // not glibc: nothing to trim with
        }
    }

    /** Returns free pages to the system; whether anything could be done. */
    static boolean release() {
        if (LIBC == null) {
            return false;
        }
        try {
            return LIBC.malloc_trim(0) != 0;
        } catch (UnsatisfiedLinkError e) {
            return false; // a C library without malloc_trim (musl)
        }
    }
}
