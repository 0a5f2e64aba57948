package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.cli.FlowbenchCli;
import io.flowbench.tracking.LocalStore;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowbench compare} on a store written by {@link SyntheticExperiment}: the report from the store alone. */
class CompareTest {
    @TempDir
    Path dir;

    @Test
    void compareRebuildsTheReportFromTheStore() throws Exception {
        Path store = dir.resolve("mlruns");
        SyntheticExperiment.write(store);
        Path out = dir.resolve("out");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                store.toString(), "--out", out.toString()));

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("Target: 3.0500 test bits/dim, the baseline glow's best"), md);
        assertTrue(md.contains("| dlf | 2/2 | 488 ± 18 | 31,200 ± 1,131 | 2.0 ± 0.1 min | 2.00x ± 0.00 (2.00–2.00) | 0.80x ± 0.00 (0.80–0.80) |"), md);
        assertTrue(md.contains("| slow | never (best 3.5000) | - | - | - | - | - |"), md);
        assertTrue(md.contains("| glow (baseline) | glow (synthetic) | 123,456 | 2 | 3.0350 ± 0.0354 | 3.0100–3.0600 | 640 | - |"), md);
        assertTrue(md.contains("neither the Glow paper nor the DLF paper reports a result on fashion-mnist"), md);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<img alt=\"test bits/dim against images seen\" src=\"data:image/png;base64,"), "PNG inlined");
        assertTrue(html.contains("<td class=\"num\">2/2</td>"), "tables rendered");
        for (String png : List.of("learning-curves.png", "learning-curves-time.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png);
            assertEquals(900, img.getWidth());
        }
        List<String> runs = Files.readAllLines(out.resolve("runs.csv"));
        assertEquals(6, runs.size(), "a header and 5 runs");
        assertTrue(runs.get(1).contains(",glow-seed0,glow,0,FINISHED,glow,123456,1000,64000,100,640,3,3.01"), runs.get(1));
        List<String> curves = Files.readAllLines(out.resolve("curves.csv"));
        assertEquals(1 + 5 * 10, curves.size(), "10 evaluations per run");
        String convergence = Files.readString(out.resolve("convergence.csv"));
        assertTrue(convergence.contains("\r\nslow,false,3.05,1,0,3.5,,"), convergence);
    }

    @Test
    void optionsOverrideTheRecordedBaselineAndTarget() throws Exception {
        Path store = dir.resolve("mlruns");
        SyntheticExperiment.write(store);
        ExperimentResults results = ExperimentResults.load(new LocalStore(store), SyntheticExperiment.NAME, null);
        assertEquals(List.of("glow", "dlf", "slow"), results.variants());
        ComparisonReport report = ComparisonReport.of(results,
                ReportSettings.fromParams(results.parent().params()).with("dlf", 3.5));
        assertEquals("dlf", report.baseline());
        assertEquals(3.5, report.target());
        Convergence.Row slow = report.convergence().get(2);
        assertEquals(1, slow.reached(), "reaches 3.5 at its last evaluation");
        assertEquals(0.25, slow.speedupImages().mean(), 1e-9, "dlf at 250 steps, slow at 1000");
    }

    @Test
    void unknownExperimentOrParentIsAUsageError() throws Exception {
        Path store = dir.resolve("mlruns");
        String parent = SyntheticExperiment.write(store);
        assertEquals(FlowbenchCli.USAGE_ERROR, FlowbenchCli.run("compare", "--experiment", "nope", "--tracking-uri",
                store.toString(), "--out", dir.resolve("x").toString()));
        assertEquals(FlowbenchCli.USAGE_ERROR, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME,
                "--tracking-uri", store.toString(), "--parent", "0123", "--out", dir.resolve("x").toString()));
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                store.toString(), "--parent", parent, "--out", dir.resolve("x").toString()));
    }
}
