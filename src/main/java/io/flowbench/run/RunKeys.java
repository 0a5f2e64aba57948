package io.flowbench.run;

import io.flowbench.data.DataOptions;
import io.flowbench.data.DataProvenance;
import io.flowbench.data.DatasetSplits;
import java.util.List;

/**
 * Every name a run of {@code flowbench run} writes to the tracker: metrics, tags, params and artifact paths.
 * The writers ({@link RunExecutor}, {@link ExperimentRunner}) and the reader (the comparison report) use
 * these constants only, so a renamed key is renamed for both, and the reader fails loudly on a key it
 * needs that a run lacks instead of showing an empty cell.
 */
public final class RunKeys {
    private RunKeys() {
    }

    /** Metrics of a child run, logged by optimisation step. */
    public static final class Metric {
        /** Mean training loss in bits/dim over a logging window. */
        public static final String TRAIN_BPD = "train_bpd";
        public static final String LR = "lr";
        /**
         * Global L2 norm of all parameter gradients at the logged step, before gradient-norm clipping
         * (training.grad-clip-norm): a clipped step logs a norm above the clip.
         */
        public static final String GRAD_NORM = "grad_norm";
        /** Training throughput over a logging window. */
        public static final String IMAGES_PER_SEC = "images_per_sec";
        /** Optimisation time so far (evaluations excluded); logged with every window and evaluation (one point per step). */
        public static final String TRAIN_TIME_SEC = "train_time_sec";
        /** Training images so far; logged with every window and evaluation (one point per step). */
        public static final String IMAGES_SEEN = "images_seen";
        /** Periodic test bits/dim (averaged weights, the first evaluation.test-examples test images). */
        public static final String TEST_BPD = "test_bpd";
        /** Test bits/dim on the whole test split at each end of training (a run extended by a resume has one per end). */
        public static final String FINAL_TEST_BPD = "final_test_bpd";
        /**
         * Level l's mean log|det J| over the evaluated test images, in bits per image dimension (log-det /
         * (D ln 2)): positive where the level expands volume, negative where it contracts it. Logged with each
         * evaluation ({@code volume_bits_level0}, ...).
         */
        public static String volume(int level) {
            return "volume_bits_level" + level;
        }

        /**
         * The linear probe at the end of training (docs/linear-probe.md), logged at the last step when the run's
         * dataset is labelled and probe.enabled is on: the accuracy of logistic regression on the latents (EMA
         * weights) of the probe's training and test examples, of the same fit on their pixels, and how many
         * examples it used. Optional: a run recorded before the probe existed, or without it, has none.
         */
        public static final String PROBE_TRAIN_ACCURACY = "probe_train_accuracy";
        public static final String PROBE_TEST_ACCURACY = "probe_test_accuracy";
        public static final String PROBE_PIXELS_TRAIN_ACCURACY = "probe_pixels_train_accuracy";
        public static final String PROBE_PIXELS_TEST_ACCURACY = "probe_pixels_test_accuracy";
        public static final String PROBE_TRAIN_EXAMPLES = "probe_train_examples";
        public static final String PROBE_TEST_EXAMPLES = "probe_test_examples";

        /**
         * The standard error of an evaluation's mean bits/dim over the test examples ({@code test_bpd_stderr},
         * {@code final_test_bpd_stderr}), logged beside it for models whose log-det is a random estimate
         * (resflow), where it includes the estimator's noise.
         */
        public static String standardError(String bpdMetric) {
            return bpdMetric + "_stderr";
        }

        /** The step whose loss was not finite (a FAILED run). */
        public static final String FAILED_STEP = "failed_step";

        private Metric() {
        }
    }

    /** Tags. */
    public static final class Tag {
        /** Child runs: the variant and seed (set when the run starts, so even a run that fails at once has them). */
        public static final String VARIANT = "flowbench.variant";
        public static final String SEED = "flowbench.seed";
        public static final String MODEL_KIND = "flowbench.model_kind";
        public static final String DATASET = "flowbench.dataset";
        /** SHA-256 of the decoded training split. */
        public static final String DATASET_HASH = "flowbench.dataset_hash";
        /** Why a child run FAILED. */
        public static final String FAILURE = "flowbench.failure";
        /** Parent run: how many of its child runs did not finish. */
        public static final String FAILED_RUNS = "flowbench.failed_runs";
        /** Child run stopped by SIGINT/SIGTERM: the last step it trained (and checkpointed). */
        public static final String KILLED_AT_STEP = "flowbench.killed_at_step";
        /** Parent run stopped by SIGINT/SIGTERM: how far its invocation got. */
        public static final String STOPPED = "flowbench.stopped";
        /** Parent run of a stopped cluster invocation whose runs a later one continued: that one's parent run. */
        public static final String CONTINUED_BY = "flowbench.continued_by";
        /**
         * Child run: the native (OpenMP) threads its ops ran on when it last started or resumed, which decide how
         * its sums are split and so its last bits (fewer under {@code --parallel}: {@link NativeThreads}).
         */
        public static final String NATIVE_THREADS = "flowbench.native_threads";
        /** Child run resumed with another budget: the budget it was last resumed with (params keep the first). */
        public static final String BUDGET_STEPS = "flowbench.budget.steps";
        public static final String BUDGET_WALL_MINUTES = "flowbench.budget.wall_minutes";

        private Tag() {
        }
    }

    /**
     * Params of a child run: its resolved configuration flattened ({@code model.levels}, {@code training.lr},
     * ...; the report rebuilds the model spec and run settings from {@link #CONFIG_BLOCKS} with the same
     * readers the planner used), the dataset's options and provenance ({@code data.*}), and what the built
     * model adds.
     */
    public static final class Param {
        /** The blocks of a run's configuration logged as params, each read back by its config reader. */
        public static final List<String> CONFIG_BLOCKS = List.of("model", "training", "evaluation", "checkpoint");
        public static final String PARAMETER_COUNT = "model.parameter_count";
        public static final String MODEL_DESCRIPTION = "model.description";
        /** Keys under the {@code model} block that the built model adds, not read back as configuration. */
        public static final List<String> MODEL_FACTS = List.of(PARAMETER_COUNT, MODEL_DESCRIPTION);
        /**
         * Configuration keys added after runs were recorded without them, whose reference default is what
         * those runs did: the report reads a run that lacks one with that default.
         */
        public static final List<String> ADDED_WITH_PAST_DEFAULT = List.of("model.factor-out-policy",
                "model.factor-out-order", "model.factor-out-warmup-steps", "model.factor-out-after-warmup", "training.adam-beta1", "training.adam-beta2",
                "training.grad-clip-norm", "model.resflow.coefficient", "model.resflow.n-exact", "model.resflow.eval-n-exact",
                "model.resflow.roulette", "model.resflow.gradient", "model.resflow.pre-activation",
                "model.resflow.fc-end-blocks", "model.resflow.fc-end-hidden");
        /** A fixed factor-out mask of level l, {@code factor-out-mask.level<l>}: its SHA-256 (docs/factor-out.md). */
        public static final String FACTOR_OUT_MASK = "factor-out-mask.level";

        public static final String DATASET = DataOptions.NAME_PARAM;
        public static final String SUBSET = DataOptions.SUBSET_PARAM;
        public static final String TRAIN_EXAMPLES = DatasetSplits.TRAIN_PARAMS + DataProvenance.EXAMPLES;
        public static final String TEST_EXAMPLES = DatasetSplits.TEST_PARAMS + DataProvenance.EXAMPLES;
        /** The training split's image shape, CxHxW: the model's input. */
        public static final String TRAIN_SHAPE = DatasetSplits.TRAIN_PARAMS + DataProvenance.SHAPE;
        public static final String TRAIN_CLASSES = DatasetSplits.TRAIN_PARAMS + DataProvenance.CLASSES;
        /**
         * The closed-form likelihood reference of the run's splits (docs/likelihood-reference.md):
         * {@code reference.<linear|affine|diagonal>.<train|test>_bpd}; absent where it is not computed.
         */
        public static final String REFERENCE_PREFIX = "reference.";

        public static String reference(String modelClass, String split) {
            return REFERENCE_PREFIX + modelClass + "." + split + "_bpd";
        }

        private Param() {
        }
    }

    /** Artifact paths (folders of the run's artifacts, and file names in them). */
    public static final class Artifact {
        /** Child runs: the resolved configuration. */
        public static final String RESOLVED_CONF = "config/resolved.conf";
        /** Child runs: the run's data and model as OLCUT provenance ({@link RunProvenance}), at the root. */
        public static final String PROVENANCE = "provenance.json";
        /** Child runs: sample grids, {@code samples/step-NNNNNNN.png}. */
        private static final String SAMPLES = "samples/step-%07d.png";
        /** Child runs: the last checkpoint, {@code checkpoint/last.zip}. */
        public static final String CHECKPOINT_DIR = "checkpoint";
        /** Child runs with a factor-out policy: each level's mask. */
        private static final String FACTOR_OUT_MASK = "factor-out/mask-level%d.png";
        /** Parent run: the table of its runs, at the artifact root. */
        public static final String SUMMARY = "summary.md";
        /** Parent run: the comparison report's files. */
        public static final String REPORT_DIR = "report";

        private Artifact() {
        }

        /** The sample grid drawn at an evaluation step. */
        public static String samples(long step) {
            return String.format(SAMPLES, step);
        }

        /** The picture of a level's factor-out mask. */
        public static String factorOutMask(int level) {
            return String.format(FACTOR_OUT_MASK, level);
        }
    }
}
