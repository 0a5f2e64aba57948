package io.flowbench.run;

import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.train.Checkpoint;
import io.flowbench.tracking.TrackedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the run's checkpoint every {@code checkpoint.every-steps}, at a stop (unless nothing was trained) and
 * at the end, when it is also logged as the artifact {@code checkpoint/last.zip}. A checkpoint carries the
 * training window and the run's resolved configuration, so it describes itself and a resume can check it.
 */
record CheckpointSchedule(RunPlan plan, TrackedRun run, Training training, TrainingWindow window, Path file)
        implements TrainingListener {
    /** The checkpoint metadata key of the resolved configuration (HOCON rendered as JSON). */
    static final String CONFIG = "config";

    @Override
    public void onStep(long step) throws IOException {
        if (step % plan.settings().checkpointEverySteps() == 0) {
            save();
        }
    }

    @Override
    public void onStop(long steps) throws IOException {
        if (steps > 0) {
            save();
        }
    }

    @Override
    public void onFinish(long steps) throws IOException {
        save();
        run.logArtifact(file, RunKeys.Artifact.CHECKPOINT_DIR);
    }

    private void save() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(window.metadata());
        meta.put(CONFIG, plan.config().root().render(ConfigRenderOptions.concise()));
        Checkpoint.save(file, training.trainer(), training.average(), meta);
    }
}
