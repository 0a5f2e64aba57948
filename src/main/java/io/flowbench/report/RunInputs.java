package io.flowbench.report;

import io.flowbench.model.ModelSpec;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.run.RunSettings;
import java.util.Optional;

/**
 * What a run trained: its dataset, the model spec and run settings rebuilt from its params by the readers
 * that planned it, and what the built model and the loaded data reported.
 *
 * @param subset         the training subset size (0: the whole training split)
 * @param trainExamples  examples in the training split as loaded
 * @param testExamples   examples in the test split as loaded
 * @param classes        the dataset's classes (0: unlabelled)
 * @param parameterCount trainable parameters of the built model
 * @param reference      the closed-form likelihood reference of its splits; absent where it was not computed
 *                       (too many dimensions, a split of one example) or for runs recorded before it existed
 */
public record RunInputs(String dataset, int subset, long trainExamples, long testExamples, int classes, ModelSpec model,
                        RunSettings settings, long parameterCount, Optional<LikelihoodReference> reference) {
}
