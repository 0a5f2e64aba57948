package io.flowbench.run;

import io.flowbench.tracking.RunStatus;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An invocation stopped by a signal ({@link StopRequest}), thrown once everything is recorded: the runs it
 * stopped (KILLED), those it never started, and the exit status the process ends with. Its message says what
 * was stopped; the command adds how to go on.
 */
public final class RunsStopped extends RuntimeException {
    private final int exitStatus;
    private final List<RunOutcome> outcomes;
    private final List<RunPlan> notStarted;
    private final String parentRunId;

    RunsStopped(StopRequest stop, String parentRunId, List<RunOutcome> outcomes, List<RunPlan> planned) {
        super(describe(stop.signal().orElseThrow(), parentRunId, outcomes, notStarted(outcomes, planned)));
        this.exitStatus = stop.exitStatus();
        this.outcomes = List.copyOf(outcomes);
        this.notStarted = notStarted(outcomes, planned);
        this.parentRunId = parentRunId;
    }

    /** The experiment's parent run, which {@code run --resume} continues as a whole; null for one resumed run. */
    public String parentRunId() {
        return parentRunId;
    }

    /** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. */
    public int exitStatus() {
        return exitStatus;
    }

    /** The runs stopped after at least one step, checkpointed there. */
    public List<RunOutcome> resumable() {
        return outcomes.stream().filter(o -> o.status() == RunStatus.KILLED && o.steps() > 0).toList();
    }

    /** The runs to train anew: not started, or stopped before their first step. */
    public List<RunPlan> toTrainAgain() {
        return Stream.concat(
                outcomes.stream().filter(o -> o.status() == RunStatus.KILLED && o.steps() == 0).map(RunOutcome::plan),
                notStarted.stream()).toList();
    }

    private static List<RunPlan> notStarted(List<RunOutcome> outcomes, List<RunPlan> planned) {
        Set<String> started = outcomes.stream().map(o -> o.plan().runName()).collect(Collectors.toSet());
        return planned.stream().filter(r -> !started.contains(r.runName())).toList();
    }

    private static String describe(String signal, String parentRunId, List<RunOutcome> outcomes, List<RunPlan> notStarted) {
        StringBuilder sb = new StringBuilder("stopped by ").append(signal).append(": ");
        sb.append(outcomes.stream().map(o -> o.plan().runName() + " " + o.status()
                + (o.status() == RunStatus.KILLED ? " at step " + o.steps() : "")).collect(Collectors.joining(", ")));
        if (!notStarted.isEmpty()) {
            sb.append(outcomes.isEmpty() ? "" : "; ").append(notStarted.size()).append(" not started (")
                    .append(notStarted.stream().map(RunPlan::runName).collect(Collectors.joining(", "))).append(')');
        }
        if (parentRunId != null) {
            sb.append("; parent run ").append(parentRunId).append(" KILLED");
        }
        return sb.toString();
    }
}
