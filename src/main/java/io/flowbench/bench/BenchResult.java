package io.flowbench.bench;

import io.flowbench.model.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark of one model measured: the model, the FLOP count, graph build time, the first
 * training step (session set-up and data-dependent initialisation included), every warm-up step's
 * time, the timed phases and the machine.
 */
public record BenchResult(String preset, String variant, ModelSpec spec, long parameters, FlopCount flops,
                          BenchOptions options, double buildSeconds, double firstStepSeconds,
                          double[] warmupSeconds, List<PhaseResult> phases, Machine machine) {

    public PhaseResult phase(String name) {
        return phases.stream().filter(p -> p.phase().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no phase " + name));
    }

    /** The result as nested maps and lists (JSON objects and arrays), keys in a fixed order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("model", variant);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("description", spec.step().describe());
        model.put("input", spec.input().toString());
        model.put("levels", spec.levels());
        model.put("depth", spec.depth());
        model.put("hidden", spec.hidden());
        model.put("classes", spec.numClasses());
        model.put("parameters", parameters);
        m.put("spec", model);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("forward_per_image", flops.forwardPerImage());
        f.put("per_batch", flops.perBatch());
        f.put("training_factor", FlopCount.TRAINING_FACTOR);
        f.put("forward_per_image_by_kind", flops.perImage());
        m.put("flops", f);
        m.put("options", Map.of("warmup_steps", options.warmupSteps(), "steps", options.steps(),
                "warmup_calls", options.warmupCalls(), "calls", options.calls()));
        m.put("build_seconds", buildSeconds);
        m.put("first_step_seconds", firstStepSeconds);
        List<Object> warmup = new ArrayList<>();
        for (double s : warmupSeconds) {
            warmup.add(Math.round(s * 1e4) / 10.0);
        }
        m.put("warmup_step_ms", warmup);
        List<Object> ps = new ArrayList<>();
        for (PhaseResult p : phases) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("phase", p.phase());
            pm.put("batch", p.batch());
            pm.put("calls", p.calls());
            pm.put("median_seconds", p.medianSeconds());
            pm.put("min_seconds", p.minSeconds());
            pm.put("max_seconds", p.maxSeconds());
            pm.put("images_per_second", p.imagesPerSecond());
            pm.put("gflops_per_second", known(p.gflopsPerSecond()));
            pm.put("percent_of_peak", known(percentOfPeak(p)));
            pm.put("peak_heap_bytes", p.memory().heapBytes());
            pm.put("peak_offheap_bytes", p.memory().offHeapBytes());
            pm.put("peak_resident_bytes", p.memory().residentBytes());
            ps.add(pm);
        }
        m.put("phases", ps);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", machine.cores());
        env.put("omp_num_threads", machine.ompNumThreads());
        env.put("omp_wait_policy", machine.ompWaitPolicy());
        env.put("gomp_spin_count", machine.gompSpinCount());
        env.put("nd4j_threads", machine.nd4jThreads());
        env.put("onednn_helpers", machine.onednnHelpers());
        env.put("backend", machine.backend());
        env.put("blas", machine.blas());
        env.put("peak_gflops_per_second", machine.peak().gflopsPerSecond());
        env.put("peak_kernel", machine.peak().kernel());
        env.put("peak_threads", machine.peak().threads());
        env.put("sgemm_gflops_per_second", machine.peak().sgemmGflopsPerSecond());
        env.put("convolution_gflops_per_second", machine.peak().convolutionGflopsPerSecond());
        env.put("java", machine.java());
        env.put("jvm_options", machine.jvmOptions());
        env.put("load_before", machine.loadBefore());
        env.put("load_after", machine.loadAfter());
        m.put("machine", env);
        return m;
    }

    /** The headline numbers as flat metric names (for the tracker). */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (PhaseResult p : phases) {
            m.put(p.phase() + "_images_per_sec", p.imagesPerSecond());
            if (!Double.isNaN(p.gflopsPerSecond())) {
                m.put(p.phase() + "_gflops_per_sec", p.gflopsPerSecond());
                m.put(p.phase() + "_percent_of_peak", percentOfPeak(p));
            }
            m.put(p.phase() + "_median_ms", p.medianSeconds() * 1e3);
            m.put(p.phase() + "_peak_heap_mib", mib(p.memory().heapBytes()));
            m.put(p.phase() + "_peak_offheap_mib", mib(p.memory().offHeapBytes()));
            m.put(p.phase() + "_peak_resident_mib", mib(p.memory().residentBytes()));
        }
        m.put("build_seconds", buildSeconds);
        m.put("first_step_seconds", firstStepSeconds);
        m.put("forward_mflops_per_image", flops.forwardPerImage() / 1e6);
        m.put("peak_gflops_per_sec", machine.peak().gflopsPerSecond());
        m.put("load_before", machine.loadBefore());
        m.put("load_after", machine.loadAfter());
        return m;
    }

    /** A phase's achieved GFLOP/s as a percentage of the machine's measured peak. */
    public double percentOfPeak(PhaseResult p) {
        return 100 * p.gflopsPerSecond() / machine.peak().gflopsPerSecond();
    }

    /** A figure for JSON: null where it is not known. */
    private static Double known(double value) {
        return Double.isNaN(value) ? null : value;
    }

    static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
