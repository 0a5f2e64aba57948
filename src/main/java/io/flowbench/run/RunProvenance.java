package io.flowbench.run;

import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import io.flowbench.data.DatasetSplits;
import io.flowbench.model.FlowModel;
import io.flowbench.util.ConfigProvenance;
import io.flowbench.util.MapProvenance;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run described in Tribuo's form, OLCUT provenance: the experiment, variant and seed, each data split (Tribuo
 * {@code DataSourceProvenance}s with the source files' SHA-256), the model's configuration and size, and the
 * training and evaluation settings. Written as the run's {@code provenance.json} in OLCUT's JSON form, which
 * {@code JsonProvenanceSerialization.deserializeAndUnmarshal} reads back into this class. No time is recorded:
 * equal runs have equal provenance.
 */
public final class RunProvenance extends MapProvenance {
    private static final long serialVersionUID = 1L;

    public static final String EXPERIMENT = "experiment";
    public static final String VARIANT = "variant";
    public static final String SEED = "seed";
    public static final String TRAIN = "train-data";
    public static final String VALIDATION = "validation-data";
    public static final String TEST = "test-data";
    public static final String MODEL = "model";
    public static final String PARAMETERS = "model-parameters";
    public static final String TRAINING = "training";
    public static final String EVALUATION = "evaluation";

    RunProvenance(RunPlan plan, DatasetSplits splits, long parameterCount) {
        super(values(plan, splits, parameterCount));
    }

    /** For OLCUT's unmarshalling. */
    public RunProvenance(Map<String, Provenance> map) {
        super(map);
    }

    private static Map<String, Provenance> values(RunPlan plan, DatasetSplits splits, long parameterCount) {
        Map<String, Provenance> m = new LinkedHashMap<>();
        m.put(EXPERIMENT, new StringProvenance(EXPERIMENT, plan.experiment()));
        m.put(VARIANT, new StringProvenance(VARIANT, plan.variant()));
        m.put(SEED, new LongProvenance(SEED, plan.seed()));
        m.put(TRAIN, splits.train().provenance().toTribuo());
        m.put(VALIDATION, splits.validation().provenance().toTribuo());
        m.put(TEST, splits.test().provenance().toTribuo());
        m.put(MODEL, new ConfigProvenance(plan.config().getConfig(MODEL)));
        m.put(PARAMETERS, new LongProvenance(PARAMETERS, parameterCount));
        m.put(TRAINING, new ConfigProvenance(plan.config().getConfig(TRAINING)));
        m.put(EVALUATION, new ConfigProvenance(plan.config().getConfig(EVALUATION)));
        return m;
    }

    /** What was made: a flow model. */
    @Override
    public String getClassName() {
        return FlowModel.class.getName();
    }

    /** OLCUT's JSON of the marshalled provenance, indented. */
    public String toJson() {
        return new JsonProvenanceSerialization(true).marshalAndSerialize(this);
    }
}
