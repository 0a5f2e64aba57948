package io.flowbench.bench;

/**
 * Peak memory of a benchmark phase, in bytes: JVM heap, everything outside the heap (tensors, native libraries' memory)
 * and the process's resident set (everything together). See {@link MemoryMeter}.
 */
public record Memory(long heapBytes, long offHeapBytes, long residentBytes) { }
