package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A base distribution of the flow: the distribution of one latent given its context, in graph form.
 * The context is what the latent is conditioned on: the channels that go on for a factor-out's
 * prior, the one-hot class labels (or null) for the top prior.
 */
@FunctionalInterface
public interface Prior {

    DiagonalGaussian given(SDVariable context);
}
