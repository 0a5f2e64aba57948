package io.flowbench.report;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code experiment.report} block: the baseline variant ("" for the first one listed) and the target
 * test bits/dim of the convergence table (0 for the baseline's best). Logged as params of the parent run,
 * so that {@code flowbench compare} rebuilds the same report from the store.
 */
public record ReportSettings(String baseline, double targetBpd) {
    public static final ReportSettings DEFAULT = new ReportSettings("", 0);
    static final String BASELINE = "report.baseline";
    static final String TARGET = "report.target-bpd";

    public ReportSettings {
        baseline = baseline == null ? "" : baseline.strip();
        if (!(targetBpd >= 0) || Double.isInfinite(targetBpd)) {
            throw new IllegalArgumentException("report target-bpd must be a finite number >= 0 (0: the baseline's "
                    + "best), got " + targetBpd);
        }
    }

    /** From an experiment block (the {@code experiment} object of a resolved experiment file). */
    public static ReportSettings from(Config experiment) {
        Config r = experiment.hasPath("report") ? experiment.getConfig("report") : null;
        if (r == null) {
            return DEFAULT;
        }
        return new ReportSettings(r.hasPath("baseline") ? r.getString("baseline") : "",
                r.hasPath("target-bpd") ? r.getDouble("target-bpd") : 0);
    }

    /** From a parent run's params (defaults where missing). */
    public static ReportSettings fromParams(Map<String, String> params) {
        String target = params.get(TARGET);
        return new ReportSettings(params.getOrDefault(BASELINE, ""), target == null ? 0 : Double.parseDouble(target));
    }

    public Map<String, String> params() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(BASELINE, baseline);
        p.put(TARGET, String.format(Locale.ROOT, "%s", targetBpd));
        return p;
    }

    /** These settings with the given ones in place where not null. */
    public ReportSettings with(String baseline, Double targetBpd) {
        return new ReportSettings(baseline != null ? baseline : this.baseline,
                targetBpd != null ? targetBpd : this.targetBpd);
    }
}
