package io.flowbench.report;

import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Published test bits/dim that a run can stand beside: only figures checked against the paper, with the
 * architecture they were obtained with, so that a report shows one only where dataset and architecture match.
 *
 * <p>Glow (Kingma and Dhariwal 2018, arXiv 1807.03039), Table 2, unconditional, affine coupling, 8-bit,
 * 512 channels; levels and steps per level from the paper's hyper-parameter table and the openai/glow
 * README commands. Residual Flows (Chen et al. 2019, arXiv 1906.02735), bits/dim of its density-estimation
 * table, with the architecture of the reference code's README commands (rtqichen/residual-flows,
 * train_img.py defaults: 16 or 32 blocks per scale, width 512, c 0.98, pre-activation, 4 fully connected
 * blocks of width 128 at the end, logit pre-processing). The DLF paper (arXiv 1905.03239) also reports
 * CIFAR-10 and ImageNet figures; they are left out until checked against its table (a wrong "published"
 * number is worse than none).
 */
public final class PublishedResults {

    /**
     * A published result: dataset, architecture (levels, steps per level, width, the flow step itself,
     * factor-out, pre-processing, and whether every level starts with its squeeze, as flowbench's do) and
     * test bits/dim, and where it is printed.
     *
     * @param squeezeFirst false where the paper's first scale works on the unsqueezed image (Residual Flows
     *                     below 64x64): flowbench's skeleton cannot build that, so no run matches it
     */
    public record Row(String dataset, StepSpec step, int levels, int depth, int hidden, boolean factorOut,
                      Preprocessing preprocessing, boolean squeezeFirst, double bpd, String source) {

        String architecture() {
            return String.format(Locale.ROOT, "L=%d, K=%d, width %d", levels, depth, hidden)
                    + (squeezeFirst ? "" : ", first scale on the unsqueezed image");
        }
    }

    private static final StepSpec GLOW_AFFINE = new StepSpec.Glow(false);
    /** The reference code's defaults; the estimator's settings are not part of the architecture (see {@link StepSpec#architecture}). */
    private static final StepSpec RESFLOW = ResFlowStep.of(0.98, Roulette.POISSON, 2, 20, GradientMode.NEUMANN, true, 4, 128);
    private static final String RESFLOW_PAPER = "Residual Flows paper";

    static final List<Row> ROWS = List.of(
            glow("cifar10", 3, 32, 3.35),
            glow("imagenet32", 3, 48, 4.09),
            glow("imagenet64", 4, 48, 3.81),
            new Row("mnist", RESFLOW, 3, 16, 512, false, Preprocessing.logit(1e-6), false, 0.97, RESFLOW_PAPER),
            new Row("cifar10", RESFLOW, 3, 16, 512, false, Preprocessing.logit(0.05), false, 3.28, RESFLOW_PAPER),
            new Row("imagenet32", RESFLOW, 3, 32, 512, false, Preprocessing.logit(0.05), false, 4.01, RESFLOW_PAPER),
            // --squeeze-first: the same shapes per level as flowbench's skeleton (12x32x32, 24x16x16, 48x8x8).
            new Row("imagenet64", RESFLOW, 3, 32, 512, true, Preprocessing.logit(0.05), true, 3.76, RESFLOW_PAPER));

    private static Row glow(String dataset, int levels, int depth, double bpd) {
        return new Row(dataset, GLOW_AFFINE, levels, depth, 512, true, Preprocessing.NONE, true, bpd, "Glow paper, Table 2");
    }

    private PublishedResults() {
    }

    /** Whether any published figure exists for this dataset. */
    public static boolean hasDataset(String dataset) {
        return ROWS.stream().anyMatch(r -> r.dataset().equals(dataset));
    }

    /** The published row for a run's dataset and model kind, if there is one. */
    public static Optional<Row> forRun(RunInputs run) {
        return ROWS.stream().filter(r -> r.dataset().equals(run.dataset())
                && r.step().kind().equals(run.model().step().kind())).findFirst();
    }

    /**
     * The cell beside our figure: the published number when our run matches its setting (full training set,
     * 8 bits, unconditional, the same step architecture, factor-out and pre-processing, levels, depth and
     * width, every level squeezing first), otherwise the number with the reason it is not comparable; "-"
     * when nothing is published for this dataset and model.
     */
    public static String cell(RunInputs run) {
        Optional<Row> row = forRun(run);
        if (row.isEmpty()) {
            return "-";
        }
        Row p = row.get();
        ModelSpec m = run.model();
        String ours = String.format(Locale.ROOT, "L=%d, K=%d, width %d", m.levels(), m.depth(), m.hidden());
        String figure = String.format(Locale.ROOT, "%.2f (%s)", p.bpd(), p.source());
        if (matches(run, p)) {
            return figure;
        }
        return figure + ", not comparable: paper " + p.architecture() + ", ours " + ours
                + (fullSetting(run, p) ? "" : ", other setting (subset, bits, conditioning, step options, factor-out or logit)");
    }

    static boolean matches(RunInputs run, Row p) {
        ModelSpec m = run.model();
        return fullSetting(run, p) && p.squeezeFirst() && m.levels() == p.levels() && m.depth() == p.depth()
                && m.hidden() == p.hidden();
    }

    private static boolean fullSetting(RunInputs run, Row p) {
        ModelSpec m = run.model();
        return run.subset() == 0 && m.nBits() == 8 && !m.conditional()
                && m.step().architecture().equals(p.step().architecture()) && m.factorOut() == p.factorOut()
                && m.preprocessing().logit() == p.preprocessing().logit()
                && (!p.preprocessing().logit() || m.preprocessing().alpha() == p.preprocessing().alpha());
    }
}
