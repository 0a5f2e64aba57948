package io.flowbench.cli;

import com.google.inject.Injector;
import io.flowbench.config.DataConfigs;
import io.flowbench.config.Experiment;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.verify.ModelVerifier;
import io.flowbench.verify.ModelVerifier.Check;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flowbench verify}: builds each model an experiment describes, perturbs its parameters away
 * from the (near-identity) initialisation, and checks invertibility and the log-determinant.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Build the models of an experiment and check invertibility and log-det numerically.")
final class VerifyCommand implements Callable<Integer> {
    static final double FLOAT_RECONSTRUCTION_TOLERANCE = 1e-4;
    static final double DOUBLE_RECONSTRUCTION_TOLERANCE = 1e-9;
    static final double LOGDET_TOLERANCE = 1e-3;
    /** A stochastic log-det: independent estimates averaged, each over this many copies of the input. */
    private static final int LOGDET_DRAWS = 100;
    private static final int LOGDET_COPIES = 8;
    private static final double PERTURBATION = 0.02;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "experiment file (HOCON)")
    Path experimentFile;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a configuration key")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--variant", paramLabel = "NAME", description = "verify only this variant")
    String onlyVariant;

    @Option(names = "--seed", description = "seed of the parameters and test inputs (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Override
    public Integer call() {
        Experiment experiment = Experiment.load(experimentFile, overrides);
        Injector base = Injection.base();
        Injection.get(base, ExperimentPlanner.class).plan(experiment); // validates as run does
        if (onlyVariant != null && experiment.variants().stream().noneMatch(v -> v.name().equals(onlyVariant))) {
            throw new IllegalArgumentException("no variant named '" + onlyVariant + "' in " + experimentFile + "; it has "
                    + String.join(", ", experiment.variants().stream().map(Experiment.Variant::name).toList()));
        }
        DataConfigs dataConfigs = Injection.get(base, DataConfigs.class);
        boolean allPassed = true;
        for (Experiment.Variant variant : experiment.variants()) {
            if (onlyVariant != null && !onlyVariant.equals(variant.name())) {
                continue;
            }
            ModelSpec spec = dataConfigs.resolve(experiment.data(), variant.model()).model();
            System.out.printf("%s: %s, %d levels x %d steps, input %s%n",
                    variant.name(), spec.step().describe(), spec.levels(), spec.depth(), spec.input());
            for (Check check : checks(spec)) {
                System.out.println("  " + check);
                allPassed &= check.passed();
            }
        }
        System.out.println(allPassed ? "verify: all checks passed" : "verify: FAILED");
        return allPassed ? 0 : 1;
    }

    private List<Check> checks(ModelSpec spec) {
        FlowModel single = perturbedModel(spec, DataType.FLOAT);
        FlowModel dbl = perturbedModel(spec, DataType.DOUBLE);
        INDArray x = ModelVerifier.randomInput(dbl, 1, seed + 1);
        INDArray label = ModelVerifier.labelsFor(dbl, 1);
        // A stochastic log-det (resflow) is checked in distribution: its estimates' mean against the exact value.
        Check logDet = dbl.hasStochasticLogDet()
                ? ModelVerifier.logDetEstimate(dbl, x, label, LOGDET_DRAWS, LOGDET_COPIES)
                : new Check("log-det vs finite-difference Jacobian (rel.)", ModelVerifier.logDetRelativeError(dbl, x, label),
                        LOGDET_TOLERANCE);
        return List.of(
                reconstruction(single, FLOAT_RECONSTRUCTION_TOLERANCE),
                reconstruction(dbl, DOUBLE_RECONSTRUCTION_TOLERANCE),
                logDet);
    }

    private FlowModel perturbedModel(ModelSpec spec, DataType dtype) {
        FlowModel model = FlowModel.build(spec, dtype, seed);
        ModelVerifier.perturbParameters(model, PERTURBATION, seed);
        return model;
    }

    private Check reconstruction(FlowModel model, double tolerance) {
        String type = model.dtype() == DataType.DOUBLE ? "float64" : "float32";
        INDArray x = ModelVerifier.randomInput(model, 8, seed);
        return new Check(type + " max |decode(encode(x)) - x|",
                ModelVerifier.reconstructionError(model, x, ModelVerifier.labelsFor(model, 8)), tolerance);
    }
}
