package io.flowbench.run;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The runs one after another in this process; a stop request starts no further run. */
public final class SequentialRuns implements RunDispatch {
    private final RunExecutor executor;
    private final StopRequest stop;

    @Inject
    public SequentialRuns(RunExecutor executor, StopRequest stop) {
        this.executor = executor;
        this.stop = stop;
    }

    @Override
    public List<RunOutcome> trainAll(ExperimentPlan plan, String experimentId, String parentRunId, Map<String, String> tags) {
        List<RunOutcome> outcomes = new ArrayList<>();
        for (RunPlan run : plan.runs()) {
            if (stop.requested()) {
                break;
            }
            outcomes.add(executor.start(run, experimentId, parentRunId, tags));
        }
        return outcomes;
    }
}
