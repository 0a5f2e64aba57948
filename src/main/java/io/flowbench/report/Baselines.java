package io.flowbench.report;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.flowbench.config.Experiment;
import io.flowbench.util.Sha256;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ci/baselines.conf: the expected final test bits/dim of each variant of the CI smoke experiment (the mean
 * over its seeds) with a tolerance, and a hash of the smoke experiment's configuration when they were
 * recorded. Read with Typesafe Config; {@link #updated} rewrites only the numbers in place, one variant per
 * line ({@code name { expected = 7.0736, tolerance = 0.03 }}), so the comments that justify the tolerances stay.
 */
public record Baselines(String experiment, String configSha256, Map<String, Entry> variants) {
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?");

    /** A variant's expected score and the largest change in either direction that is not reported. */
    public record Entry(double expected, double tolerance) { }

    public Baselines {
        variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    }

    /** Reads a baselines file; a malformed one is an {@link IllegalArgumentException} naming the file and key. */
    public static Baselines read(Path file) {
        try {
            Config b = ConfigFactory.parseFile(file.toFile()).resolve().getConfig("baselines");
            Map<String, Entry> variants = new LinkedHashMap<>();
            Config v = b.getConfig("variants");
            List<Map.Entry<String, ConfigValue>> inFileOrder = new ArrayList<>(b.getObject("variants").entrySet());
            inFileOrder.sort(Comparator.comparingInt(e -> e.getValue().origin().lineNumber()));
            for (Map.Entry<String, ConfigValue> e : inFileOrder) {
                String name = e.getKey();
                Config entry = v.getConfig(quoted(name));
                double tolerance = entry.getDouble("tolerance");
                if (!(tolerance >= 0)) {
                    throw new IllegalArgumentException(file + ": baselines.variants." + name + ".tolerance must be >= 0");
                }
                variants.put(name, new Entry(entry.getDouble("expected"), tolerance));
            }
            return new Baselines(b.hasPath("experiment") ? b.getString("experiment") : "",
                    b.hasPath("config-sha256") ? b.getString("config-sha256") : "", variants);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(file + ": not a valid baselines file: " + e.getMessage(), e);
        }
    }

    private static String quoted(String key) {
        return "\"" + key.replace("\"", "\\\"") + "\"";
    }

    /**
     * SHA-256 of an experiment's resolved configuration, without where runs are tracked, how they are reported
     * and the linear probe after training (none of them moves the scores), with the model kinds' training
     * defaults its variants may inherit.
     */
    public static String configSha256(Config resolvedExperimentFile) {
        Config hashed = resolvedExperimentFile.withOnlyPath("experiment").withoutPath("experiment.tracking")
                .withoutPath("experiment.report").withoutPath("experiment.probe")
                .withFallback(resolvedExperimentFile.withOnlyPath(Experiment.TRAINING_DEFAULTS));
        return Sha256.of(hashed.root().render(ConfigRenderOptions.concise()));
    }

    /** A new baselines file with no variants, to be filled by {@link #updated}. */
    public static String template(String experiment) {
        return """
                # Expected scores of the CI smoke experiment, checked by `bin/flowbench regress` (run by .ci/run after
                # the tests) and rewritten by `bin/flowbench regress --update`, which changes only the numbers.
                # Per variant: the mean over the smoke experiment's seeds of final test bits/dim, and the tolerance:
                # a mean above expected + tolerance is a regression (exit 1).
                baselines {
                  experiment = "%s"
                  config-sha256 = ""
                  variants {
                  }
                }
                """.formatted(experiment);
    }

    /**
     * The file's text with new expected values (4 decimals) and configuration hash. Variants already there
     * keep their line, tolerance and comments; new ones are added with {@code newTolerance}.
     */
    public static String updated(String text, Map<String, Double> expected, String configSha256, double newTolerance) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        Map<String, Double> missing = new LinkedHashMap<>(expected);
        int variantsLine = -1;
        int lastVariant = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("\\s*config-sha256\\s*=.*")) {
                lines.set(i, line.replaceFirst("=.*", "= \"" + configSha256 + "\""));
            } else if (line.matches("\\s*variants\\s*\\{\\s*(#.*)?")) {
                variantsLine = i;
            }
            Matcher m = Pattern.compile("^(\\s*)\"?([A-Za-z0-9_.-]+)\"?\\s*\\{\\s*expected\\s*=\\s*").matcher(line);
            if (m.find()) {
                lastVariant = i;
                Double value = missing.remove(m.group(2));
                if (value != null) {
                    Matcher n = NUMBER.matcher(line);
                    if (n.find(m.end()) && n.start() == m.end()) {
                        lines.set(i, line.substring(0, n.start()) + number(value) + line.substring(n.end()));
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            int at = lastVariant >= 0 ? lastVariant : variantsLine;
            if (at < 0) {
                throw new IllegalArgumentException("the baselines file has no 'variants {' line to add "
                        + String.join(", ", missing.keySet()) + " to");
            }
            String indent = lastVariant >= 0 ? lines.get(lastVariant).replaceFirst("\\S.*", "")
                    : lines.get(variantsLine).replaceFirst("\\S.*", "") + "  ";
            List<String> added = new ArrayList<>();
            missing.forEach((name, value) -> added.add(indent + (name.matches("[A-Za-z0-9_-]+") ? name : quoted(name))
                    + " { expected = " + number(value) + ", tolerance = "
                    + number(newTolerance) + " }"));
            lines.addAll(at + 1, added);
        }
        return String.join("\n", lines) + "\n";
    }

    private static String number(double x) {
        return String.format(Locale.ROOT, "%.4f", x);
    }

    /** A line diff of two texts: "-" for lines only in {@code before}, "+" for lines only in {@code after}. */
    public static String diff(String before, String after) {
        StringBuilder sb = new StringBuilder();
        for (AbstractDelta<String> d : DiffUtils.diff(before.lines().toList(), after.lines().toList()).getDeltas()) {
            d.getSource().getLines().forEach(l -> sb.append('-').append(l).append('\n'));
            d.getTarget().getLines().forEach(l -> sb.append('+').append(l).append('\n'));
        }
        return sb.toString();
    }
}
