package io.flowbench.run;

import com.google.inject.ImplementedBy;
import java.util.List;
import java.util.Map;

/**
 * How the runs of an experiment are trained once its parent run is open: one after another in this process
 * (the default), several at once in this process ({@link ParallelRuns}), or as tasks on a cluster (the
 * {@code io.flowbench.cluster} package). Each run is logged under the parent; a run's own failure is its
 * outcome, never an exception. The outcomes are those of the runs started, in plan order.
 */
@ImplementedBy(SequentialRuns.class)
public interface RunDispatch {

    List<RunOutcome> trainAll(ExperimentPlan plan, String experimentId, String parentRunId, Map<String, String> tags);
}
