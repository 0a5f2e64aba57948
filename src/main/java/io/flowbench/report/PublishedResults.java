package io.flowbench.report;

import io.flowbench.model.ModelSpec;
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
 * README commands. The DLF paper (arXiv 1905.03239) also reports CIFAR-10 and ImageNet figures; they are
 * left out until checked against its table (a wrong "published" number is worse than none).
 */
public final class PublishedResults {

    /**
     * A published result: dataset, architecture (levels, steps per level, width and the flow step itself) and
     * test bits/dim, and where it is printed.
     */
    public record Row(String dataset, StepSpec step, int levels, int depth, int hidden, double bpd, String source) {

        String architecture() {
            return String.format(Locale.ROOT, "L=%d, K=%d, width %d", levels, depth, hidden);
        }
    }

    private static final StepSpec GLOW_AFFINE = new StepSpec.Glow(false);

    static final List<Row> ROWS = List.of(
            new Row("cifar10", GLOW_AFFINE, 3, 32, 512, 3.35, "Glow paper, Table 2"),
            new Row("imagenet32", GLOW_AFFINE, 3, 48, 512, 4.09, "Glow paper, Table 2"),
            new Row("imagenet64", GLOW_AFFINE, 4, 48, 512, 3.81, "Glow paper, Table 2"));

    private PublishedResults() {
    }

    /** Whether any published Glow/DLF figure exists for this dataset. */
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
     * 8 bits, unconditional, the same step, factor-out, no logit, levels, depth and width), otherwise the number with the reason it
     * is not comparable; "-" when nothing is published for this dataset and model.
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
                + (fullSetting(run, p) ? "" : ", other setting (subset, bits, conditioning, coupling, factor-out or logit)");
    }

    static boolean matches(RunInputs run, Row p) {
        ModelSpec m = run.model();
        return fullSetting(run, p) && m.levels() == p.levels() && m.depth() == p.depth() && m.hidden() == p.hidden();
    }

    private static boolean fullSetting(RunInputs run, Row p) {
        ModelSpec m = run.model();
        return run.subset() == 0 && m.nBits() == 8 && !m.conditional() && m.step().equals(p.step()) && m.factorOut()
                && !m.preprocessing().logit();
    }
}
