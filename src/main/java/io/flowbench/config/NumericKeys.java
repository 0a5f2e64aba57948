package io.flowbench.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The range of every numeric key of an experiment block, checked where the value is written (file and
 * line): finite, whole for counts and seeds (Typesafe Config would truncate 10.5 to 10 and read 1e400 as
 * Infinity), and within bounds. The reference's defaults cannot say which keys are whole (0 stands for
 * 0.0 too), hence this table; a test keeps it in step with conf/reference.conf.
 */
final class NumericKeys {

    /** How a number is read: a whole int, a whole long, or a real. */
    enum Kind { INT, LONG, REAL }

    /** Bounds {@code min <= v <= max} (open ends where {@code minOpen}/{@code maxOpen}). */
    record Rule(Kind kind, double min, boolean minOpen, double max, boolean maxOpen, String meaning) {
        String describe() {
            String lo = minOpen ? "> " + num(min) : ">= " + num(min);
            String hi = maxOpen ? "< " + num(max) : "<= " + num(max);
            boolean noMax = max == (kind == Kind.INT ? Integer.MAX_VALUE : kind == Kind.LONG ? Long.MAX_VALUE : Double.MAX_VALUE);
            boolean noMin = min == (kind == Kind.INT ? Integer.MIN_VALUE : kind == Kind.LONG ? Long.MIN_VALUE : -Double.MAX_VALUE);
            String range = noMin && noMax ? "" : noMax ? lo : noMin ? hi : "in " + (minOpen ? "(" : "[") + num(min) + ", "
                    + num(max) + (maxOpen ? ")" : "]");
            return (kind == Kind.REAL ? "a finite number" : "a whole number") + (range.isEmpty() ? "" : " " + range)
                    + (meaning.isEmpty() ? "" : " (" + meaning + ")");
        }

        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /** Keys relative to the experiment block; model.* and training.* apply to variants too. */
    static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        wholeInt("data.subset", 0, "0: all");
        wholeInt("data.test-subset", 0, "0: all");
        wholeInt("data.validation", 0, "");
        wholeLong("data.seed");
        wholeInt("data.resize", 0, "0: keep");
        range("data.channels", Kind.INT, 0, false, 3, false, "0, 1 or 3");
        range("data.test-percent", Kind.INT, 1, false, 99, false, "");
        range("model.levels", Kind.INT, 1, false, 10, false, "");
        wholeInt("model.depth", 1, "");
        wholeInt("model.hidden", 1, "");
        range("model.n-bits", Kind.INT, 1, false, 8, false, "");
        wholeInt("model.dlf.parts", 2, "");
        wholeLong("model.factor-out-warmup-steps", 1, "likelihood-contribution's warm-up");
        real("model.dlf.logs-rescale-init", 0, true);
        range("model.resflow.coefficient", Kind.REAL, 0, true, 1, true, "the spectral-norm coefficient c");
        wholeInt("model.resflow.n-exact", 1, "");
        wholeInt("model.resflow.eval-n-exact", 1, "");
        wholeInt("model.resflow.fc-end-blocks", 0, "0: none");
        wholeInt("model.resflow.fc-end-hidden", 1, "");
        range("model.dlf.logs-shift-init", Kind.REAL, -Double.MAX_VALUE, false, Double.MAX_VALUE, false, "");
        wholeInt("training.batch-size", 1, "");
        wholeLong("training.steps", 0, "0: only wall-minutes limits the run");
        real("training.wall-minutes", 0, false);
        real("training.lr", 0, true);
        range("training.lr-decay", Kind.REAL, 0, true, 1, false, "1: no decay");
        real("training.lr-decay-steps", 0, true);
        real("training.lr-min", 0, false);
        range("training.adam-beta1", Kind.REAL, 0, false, 1, true, "");
        range("training.adam-beta2", Kind.REAL, 0, false, 1, true, "");
        wholeInt("training.warmup-steps", 0, "");
        range("training.grad-clip-norm", Kind.REAL, 0, false, Double.MAX_VALUE, false, "0: no clipping");
        range("training.ema-decay", Kind.REAL, 0, false, 1, true, "0: no averaging");
        real("training.invconv-l2", 0, false);
        wholeInt("training.log-every-steps", 1, "");
        wholeInt("evaluation.every-steps", 1, "");
        wholeInt("evaluation.test-examples", 0, "0: the whole split");
        wholeInt("evaluation.batch-size", 1, "");
        wholeLong("evaluation.noise-seed");
        wholeInt("evaluation.samples", 0, "");
        real("evaluation.temperature", 0, false);
        wholeInt("probe.train-examples", 0, "0: the whole split");
        wholeInt("probe.test-examples", 0, "0: the whole split");
        wholeInt("probe.epochs", 1, "");
        wholeInt("checkpoint.every-steps", 1, "");
        wholeInt("cluster.task-cores", 1, "");
        wholeInt("cluster.task-max-failures", 1, "1: no second attempt");
        wholeInt("cluster.executor-wait-seconds", 1, "");
        real("report.target-bpd", 0, false);
    }

    /** The rule of each element of {@code seeds}. */
    static final Rule SEED = new Rule(Kind.LONG, Long.MIN_VALUE, false, Long.MAX_VALUE, false, "");

    private NumericKeys() {
    }

    private static void range(String key, Kind kind, double min, boolean minOpen, double max, boolean maxOpen, String meaning) {
        RULES.put(key, new Rule(kind, min, minOpen, max, maxOpen, meaning));
    }

    private static void wholeInt(String key, int min, String meaning) {
        range(key, Kind.INT, min, false, Integer.MAX_VALUE, false, meaning);
    }

    private static void wholeLong(String key, long min, String meaning) {
        range(key, Kind.LONG, min, false, Long.MAX_VALUE, false, meaning);
    }

    private static void wholeLong(String key) {
        range(key, Kind.LONG, Long.MIN_VALUE, false, Long.MAX_VALUE, false, "");
    }

    private static void real(String key, double min, boolean minOpen) {
        range(key, Kind.REAL, min, minOpen, Double.MAX_VALUE, false, "");
    }

    /**
     * Checks the keys under {@code prefix} (e.g. "training.") of {@code block}, a resolved block of that
     * name; {@code label} names it in errors (e.g. "experiment." or "variant glow: ").
     */
    static void check(Config block, String prefix, String label) {
        for (Map.Entry<String, Rule> e : RULES.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String key = e.getKey().substring(prefix.length());
            if (block.hasPath(key)) {
                check(block.getValue(key), label + e.getKey(), e.getValue());
            }
        }
    }

    /** Checks one value against a rule; the error names where it is written. */
    static void check(ConfigValue value, String key, Rule rule) {
        Object raw = value.unwrapped();
        double v;
        BigDecimal exact;
        try {
            v = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString().strip());
            exact = Double.isFinite(v) ? (raw instanceof Number n && !(raw instanceof Double) ? new BigDecimal(n.longValue())
                    : new BigDecimal(raw.toString().strip())) : null;
        } catch (NumberFormatException ex) {
            throw invalid(value, key, rule, "got " + value.render());
        }
        if (exact == null) {
            throw invalid(value, key, rule, "got " + value.render() + " (not finite)");
        }
        if (rule.kind() != Kind.REAL && exact.stripTrailingZeros().scale() > 0) {
            throw invalid(value, key, rule, "got " + value.render() + ", which is not whole");
        }
        boolean tooLow = rule.minOpen() ? !(v > rule.min()) : !(v >= rule.min());
        boolean tooHigh = rule.maxOpen() ? !(v < rule.max()) : !(v <= rule.max());
        if (rule.kind() == Kind.LONG) {
            tooHigh |= exact.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0;
            tooLow |= exact.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0;
        }
        if (tooLow || tooHigh) {
            throw invalid(value, key, rule, "got " + value.render());
        }
    }

    private static ConfigError invalid(ConfigValue value, String key, Rule rule, String got) {
        return new ConfigError(value.origin().description(), key, "must be " + rule.describe() + ", " + got);
    }
}
