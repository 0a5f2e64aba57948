package io.flowbench.cli;

import io.flowbench.config.DataConfigs;
import io.flowbench.config.Experiment;
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
        boolean allPassed = true;
        int verified = 0;
        for (Experiment.Variant variant : experiment.variants()) {
            if (onlyVariant != null && !onlyVariant.equals(variant.name())) {
                continue;
            }
            verified++;
            ModelSpec spec = DataConfigs.resolve(experiment.data(), variant.model()).model();
            System.out.printf("%s: %s, %d levels x %d steps, input %s%n",
                    variant.name(), spec.step().describe(), spec.levels(), spec.depth(), spec.input());
            for (Check check : checks(spec)) {
                System.out.println("  " + check);
                allPassed &= check.passed();
            }
        }
        if (verified == 0) {
            System.err.println("no variant named '" + onlyVariant + "' in " + experimentFile);
            return 2;
        }
        System.out.println(allPassed ? "verify: all checks passed" : "verify: FAILED");
        return allPassed ? 0 : 1;
    }

    private List<Check> checks(ModelSpec spec) {
        List<Check> checks = new ArrayList<>();
        FlowModel single = FlowModel.build(spec, DataType.FLOAT, seed);
        ModelVerifier.perturbParameters(single, PERTURBATION, seed);
        INDArray x = ModelVerifier.randomInput(single, 8, seed);
        checks.add(new Check("float32 max |decode(encode(x)) - x|",
                ModelVerifier.reconstructionError(single, x, ModelVerifier.labelsFor(single, 8)),
                FLOAT_RECONSTRUCTION_TOLERANCE));

        FlowModel dbl = FlowModel.build(spec, DataType.DOUBLE, seed);
        ModelVerifier.perturbParameters(dbl, PERTURBATION, seed);
        INDArray xd = ModelVerifier.randomInput(dbl, 8, seed);
        checks.add(new Check("float64 max |decode(encode(x)) - x|",
                ModelVerifier.reconstructionError(dbl, xd, ModelVerifier.labelsFor(dbl, 8)),
                DOUBLE_RECONSTRUCTION_TOLERANCE));
        checks.add(new Check("log-det vs finite-difference Jacobian (rel.)",
                ModelVerifier.logDetRelativeError(dbl, ModelVerifier.randomInput(dbl, 1, seed + 1),
                        ModelVerifier.labelsFor(dbl, 1)),
                LOGDET_TOLERANCE));
        return checks;
    }
}
