package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import java.util.Locale;

/** {@code kind = resflow}: the {@code resflow} block (ranges are {@link NumericKeys} rules, checked before). */
final class ResFlowStepReader implements StepReader {
    @Override
    public StepSpec read(Config model) {
        Roulette roulette = Roulette.valueOf(ModelConfigs.enumValue(model, "resflow.roulette", "poisson", "geometric")
                .toUpperCase(Locale.ROOT));
        GradientMode gradient = ModelConfigs.enumValue(model, "resflow.gradient", "neumann", "backprop-series")
                .equals("neumann") ? GradientMode.NEUMANN : GradientMode.BACKPROP_SERIES;
        boolean preActivation = ModelConfigs.enumValue(model, "resflow.pre-activation", "on", "off").equals("on");
        try {
            return ResFlowStep.of(model.getDouble("resflow.coefficient"), roulette, model.getInt("resflow.n-exact"),
                    model.getInt("resflow.eval-n-exact"), gradient, preActivation, model.getInt("resflow.fc-end-blocks"),
                    model.getInt("resflow.fc-end-hidden"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(model.getValue("resflow").origin().description(), "model.resflow", e.getMessage());
        }
    }
}
