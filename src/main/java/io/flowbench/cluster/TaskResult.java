package io.flowbench.cluster;

import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.tracking.RunStatus;
import java.io.Serializable;

/** How a run trained on an executor ended, as sent back to the driver (a {@link RunOutcome} without its plan). */
record TaskResult(String runId, RunStatus status, long steps, long imagesSeen, double trainSeconds,
                  double finalTestBitsPerDim, String failure, String host) implements Serializable {

    static TaskResult of(RunOutcome o, String host, String notSent) {
        String failure = notSent == null ? o.failure()
                : (o.failure() == null ? "" : o.failure() + "; ") + "not all on the tracking server: " + notSent;
        return new TaskResult(o.runId(), o.status(), o.steps(), o.imagesSeen(), o.trainSeconds(),
                o.finalTestBitsPerDim(), failure, host);
    }

    RunOutcome outcome(RunPlan plan) {
        return new RunOutcome(plan, runId, status, steps, imagesSeen, trainSeconds, finalTestBitsPerDim, failure);
    }
}
