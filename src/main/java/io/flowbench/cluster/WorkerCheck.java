package io.flowbench.cluster;

import com.google.inject.Injector;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.RunPlan;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkEnv;

/**
 * What one executor says about the experiment before any run is submitted: whether it plans the experiment as
 * the driver did and can read every dataset the runs load, with this worker's own data locations.
 *
 * @param problems one line per dataset (or configuration) this executor cannot use; empty when all is well
 */
record WorkerCheck(String executorId, String host, List<String> problems) implements Serializable {

    /** Checks on the executor this runs on. */
    static WorkerCheck here(ShippedExperiment experiment) {
        List<String> problems = new ArrayList<>();
        try {
            Injector injector = ShippedExperiment.injector();
            ExperimentPlan plan = experiment.plan(injector);
            DatasetRegistry registry = injector.getInstance(DatasetRegistry.class);
            Set<DataOptions> distinct = new LinkedHashSet<>();
            plan.runs().stream().map(RunPlan::data).forEach(distinct::add);
            for (DataOptions options : distinct) {
                try {
                    registry.load(options);
                } catch (IOException | RuntimeException e) {
                    problems.add("dataset " + options.dataset() + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            problems.add("the experiment: " + e.getMessage());
        }
        return new WorkerCheck(SparkEnv.get().executorId(), SparkEnv.get().blockManager().blockManagerId().host(), problems);
    }

    String describe() {
        return "worker " + host + " (executor " + executorId + "): " + String.join("; ", problems);
    }
}
