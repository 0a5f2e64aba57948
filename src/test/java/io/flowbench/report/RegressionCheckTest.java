package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.report.RegressionCheck.Measured;
import io.flowbench.report.RegressionCheck.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The regression gate on synthetic scores, and the baselines file: reading, in-place update, diff. */
class RegressionCheckTest {
    @TempDir
    Path dir;

    private static Measured seeds(double... bpd) {
        return new Measured(bpd.length, bpd.length, Stats.of(java.util.Arrays.stream(bpd).boxed().toList()));
    }

    private static final Map<String, Baselines.Entry> BASE = Map.of(
            "glow", new Baselines.Entry(4.00, 0.05), "dlf", new Baselines.Entry(3.90, 0.05));

    private static Verdict verdictOf(List<RegressionCheck.Line> lines, String variant) {
        return lines.stream().filter(l -> l.variant().equals(variant)).findFirst().orElseThrow().verdict();
    }

    @Test
    void withinToleranceInEitherDirectionPasses() {
        var lines = RegressionCheck.check(BASE, Map.of("glow", seeds(4.04, 4.06), "dlf", seeds(3.86, 3.85)));
        assertEquals(Verdict.PASS, verdictOf(lines, "glow"), "mean 4.05 is exactly at the edge");
        assertEquals(Verdict.PASS, verdictOf(lines, "dlf"));
        assertTrue(RegressionCheck.passed(lines));
        assertEquals(0.05, lines.stream().filter(l -> l.variant().equals("glow")).findFirst().orElseThrow().delta(), 1e-12);
    }

    @Test
    void aMeanAboveExpectedPlusToleranceIsARegression() {
        var lines = RegressionCheck.check(BASE, Map.of("glow", seeds(4.02, 4.10), "dlf", seeds(3.90)));
        assertEquals(Verdict.REGRESSED, verdictOf(lines, "glow"), "mean 4.06 > 4.05");
        assertFalse(RegressionCheck.passed(lines));
        String table = RegressionCheck.table(lines);
        assertTrue(table.contains("| glow | 4.0000 | ± 0.0500 | 4.0600 (2 seeds) | 0.0566 | +0.0600 | REGRESSED |"), table);
    }

    @Test
    void aLargeImprovementPassesButIsReported() {
        var lines = RegressionCheck.check(BASE, Map.of("glow", seeds(3.5), "dlf", seeds(3.9)));
        assertEquals(Verdict.IMPROVED, verdictOf(lines, "glow"));
        assertTrue(RegressionCheck.passed(lines));
        assertTrue(RegressionCheck.table(lines).contains("glow: better than recorded beyond the tolerance"));
    }

    @Test
    void failedRunsMissingVariantsAndMissingBaselinesFail() {
        Map<String, Measured> m = new LinkedHashMap<>();
        m.put("glow", new Measured(2, 1, Stats.of(List.of(4.0))));
        m.put("new-variant", seeds(3.0));
        var lines = RegressionCheck.check(BASE, m);
        assertEquals(Verdict.RUN_FAILED, verdictOf(lines, "glow"), "a failed seed is not averaged away");
        assertEquals(Verdict.NO_RESULT, verdictOf(lines, "dlf"));
        assertEquals(Verdict.NO_BASELINE, verdictOf(lines, "new-variant"));
        assertFalse(RegressionCheck.passed(lines));
    }

    @Test
    void baselinesAreReadAndUpdatedInPlaceKeepingCommentsAndTolerances() throws Exception {
        String text = """
                # why the tolerances are what they are
                baselines {
                  experiment = "ci/smoke.conf"
                  config-sha256 = "aaaa"
                  variants {
                    # glow: seed sd 0.010
                    glow   { expected = 7.0736, tolerance = 0.03 }
                    dlf-k2 { expected = 7.1818, tolerance = 0.04 }  # a comment after
                  }
                }
                """;
        Path file = dir.resolve("baselines.conf");
        Files.writeString(file, text);
        Baselines b = Baselines.read(file);
        assertEquals("ci/smoke.conf", b.experiment());
        assertEquals("aaaa", b.configSha256());
        assertEquals(new Baselines.Entry(7.1818, 0.04), b.variants().get("dlf-k2"));
        assertEquals(List.of("glow", "dlf-k2"), List.copyOf(b.variants().keySet()), "in the file's order");

        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("glow", 7.0736);
        expected.put("dlf-k2", 7.15);
        expected.put("dlf-k4", 7.2);
        String after = Baselines.updated(text, expected, "bbbb", 0.04);
        assertTrue(after.contains("    dlf-k2 { expected = 7.1500, tolerance = 0.04 }  # a comment after\n"), after);
        assertTrue(after.contains("    dlf-k4 { expected = 7.2000, tolerance = 0.0400 }\n"), after);
        assertTrue(after.contains("config-sha256 = \"bbbb\""), after);
        assertTrue(after.contains("# glow: seed sd 0.010"), after);
        Files.writeString(file, after);
        assertEquals(new Baselines.Entry(7.2, 0.04), Baselines.read(file).variants().get("dlf-k4"));

        assertEquals("""
                -  config-sha256 = "aaaa"
                +  config-sha256 = "bbbb"
                -    dlf-k2 { expected = 7.1818, tolerance = 0.04 }  # a comment after
                +    dlf-k2 { expected = 7.1500, tolerance = 0.04 }  # a comment after
                +    dlf-k4 { expected = 7.2000, tolerance = 0.0400 }
                """, Baselines.diff(text, after));
        assertEquals("", Baselines.diff(after, after));
    }

    @Test
    void aNewFileFromTheTemplateGetsItsVariants() throws Exception {
        String after = Baselines.updated(Baselines.template("ci/smoke.conf"), Map.of("glow", 7.0), "cc", 0.05);
        Path file = dir.resolve("new.conf");
        Files.writeString(file, after);
        assertEquals(Map.of("glow", new Baselines.Entry(7.0, 0.05)), Baselines.read(file).variants());
    }

    @Test
    void aMalformedFileNamesItself() throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "baselines { variants { glow { expected = 7.0 } } }");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Baselines.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
    }
}
