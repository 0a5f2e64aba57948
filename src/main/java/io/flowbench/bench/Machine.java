package io.flowbench.bench;

import io.flowbench.run.NativeThreads;
import java.lang.management.ManagementFactory;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a benchmark ran: cores, thread settings (OpenMP's thread count, wait policy and libgomp's spin count), the
 * JVM's -X options (heap, JIT tier), the ND4J backend and whether its oneDNN helpers are on, its measured float32
 * peak, and the system load average (1 min) before and after, since timings on a shared machine are only
 * comparable at similar load.
 */
public record Machine(int cores, String ompNumThreads, String ompWaitPolicy, String gompSpinCount, int nd4jThreads,
                      boolean onednnHelpers, String backend, String blas, String java, String jvmOptions, FmaPeak peak,
                      double loadBefore, double loadAfter) {

    /** The machine now, with a peak measured before; the load after is taken by {@link #finished()}. */
    static Machine now(FmaPeak peak) {
        double load = load();
        var env = Nd4j.getEnvironment();
        return new Machine(Runtime.getRuntime().availableProcessors(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"),
                System.getenv().getOrDefault("GOMP_SPINCOUNT", "unset"), NativeThreads.current(), env.helpersAllowed(),
                Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.factory().blas().getBlasVendor().toString(), System.getProperty("java.version"), currentJvmOptions(), peak,
                load, load);
    }

    Machine finished() {
        return new Machine(cores, ompNumThreads, ompWaitPolicy, gompSpinCount, nd4jThreads, onednnHelpers, backend, blas,
                java, jvmOptions, peak, loadBefore, load());
    }

    /** The JVM's -X and -XX options, in the order given (the last of a kind wins). */
    private static String currentJvmOptions() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X")).toList());
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
