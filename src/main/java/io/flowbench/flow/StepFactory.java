package io.flowbench.flow;

/** Makes one flow step for a level of the multi-scale skeleton: the only part Glow and DLF differ in. */
@FunctionalInterface
public interface StepFactory {

    /** A step acting on [channels, height, width] latents. */
    FlowLayer create(FlowGraph g, String name, int channels, int height, int width);
}
