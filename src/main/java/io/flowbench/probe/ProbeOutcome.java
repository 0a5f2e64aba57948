package io.flowbench.probe;

/**
 * A run's linear probe: the accuracy of the classifier fit on its latents, and of the same classifier fit on
 * the same examples' pixels (the baseline the latents are compared with).
 */
public record ProbeOutcome(LinearProbe.Accuracy latents, LinearProbe.Accuracy pixels, int trainExamples,
                           int testExamples) {
}
