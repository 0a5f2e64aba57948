package io.flowbench.model;

import io.flowbench.flow.DynamicLinear.FirstPart;
import io.flowbench.flow.DynamicLinear.Form;
import io.flowbench.flow.DynamicLinear.Options;
import io.flowbench.flow.DynamicLinear.Partition;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small models of every kind the tests exercise, keyed by a readable name. */
final class TinyModels {
    private TinyModels() {
    }

    static Map<String, ModelSpec> all(LatentShape input, int depth, int hidden) {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        specs.put("glow", spec(input, depth, hidden, 0, new StepSpec.Glow(false)));
        specs.put("glow additive", spec(input, depth, hidden, 0, new StepSpec.Glow(true)));
        specs.put("dlf K=2", spec(input, depth, hidden, 0, dlf(2, Form.NON_INVERSE)));
        specs.put("dlf K=2 inverse form", spec(input, depth, hidden, 0, dlf(2, Form.INVERSE)));
        specs.put("dlf K=4", spec(input, depth, hidden, 0, dlf(4, Form.NON_INVERSE)));
        specs.put("glow conditional", spec(input, depth, hidden, 3, new StepSpec.Glow(false)));
        specs.put("dlf K=2 conditional", spec(input, depth, hidden, 3, dlf(2, Form.NON_INVERSE)));
        specs.put("glow logit 0.05", skeleton(input, depth, hidden, new StepSpec.Glow(false), true, Preprocessing.logit(0.05)));
        specs.put("dlf K=2 logit 1e-6", skeleton(input, depth, hidden, dlf(2, Form.NON_INVERSE), true, Preprocessing.logit(1e-6)));
        specs.put("dlf K=2 no factor-out", skeleton(input, depth, hidden, dlf(2, Form.NON_INVERSE), false, Preprocessing.NONE));
        specs.put("glow checkerboard", policy(input, depth, hidden, new StepSpec.Glow(false), FactorOutPolicy.Kind.CHECKERBOARD));
        specs.put("dlf K=2 random", policy(input, depth, hidden, dlf(2, Form.NON_INVERSE), FactorOutPolicy.Kind.RANDOM));
        specs.put("glow likelihood-contribution", policy(input, depth, hidden, new StepSpec.Glow(false),
                FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION));
        return specs;
    }

    static StepSpec dlf(int parts, Form form) {
        return new StepSpec.Dlf(new Options(parts, form, Partition.EQUAL, FirstPart.LEARNED, 1.0, 0.0));
    }

    static ModelSpec spec(LatentShape input, int depth, int hidden, int classes, StepSpec step) {
        return new ModelSpec(input, 2, depth, hidden, 8, classes, true, false, step);
    }

    /** A factor-out policy; likelihood-contribution fixes its mask after 8 steps (a training test's length). */
    static ModelSpec policy(LatentShape input, int depth, int hidden, StepSpec step, FactorOutPolicy.Kind kind) {
        return new ModelSpec(input, 2, depth, hidden, 8, 0, true, false, step, true, Preprocessing.NONE,
                new FactorOutPolicy(kind, FactorOutPolicy.Order.HIGHEST, 8));
    }

    static ModelSpec skeleton(LatentShape input, int depth, int hidden, StepSpec step, boolean factorOut,
                              Preprocessing preprocessing) {
        return new ModelSpec(input, 2, depth, hidden, 8, 0, true, false, step, factorOut, preprocessing);
    }
}
