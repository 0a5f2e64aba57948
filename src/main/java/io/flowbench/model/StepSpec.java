package io.flowbench.model;

import io.flowbench.flow.ActNorm;
import io.flowbench.flow.AffineCoupling;
import io.flowbench.flow.DynamicLinear;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.InvertibleConv1x1;
import io.flowbench.flow.StepFactory;
import java.util.List;

/** The flow step of a model: the one thing Glow and DLF differ in. */
public sealed interface StepSpec permits StepSpec.Glow, StepSpec.Dlf {

    /** Short name of the model family ("glow", "dlf"). */
    String kind();

    /** One line for people: the family and its options. */
    String describe();

    /** Checks that a level with this many channels can hold the step; the reason when not. */
    void checkChannels(int channels);

    StepFactory factory(int hidden, boolean invConvBias, int numClasses);

    /** Glow: ActNorm -> invertible 1x1 conv -> affine (or additive) coupling. */
    record Glow(boolean additiveCoupling) implements StepSpec {
        @Override
        public String kind() {
            return "glow";
        }

        @Override
        public String describe() {
            return "glow (" + (additiveCoupling ? "additive" : "affine") + " coupling)";
        }

        @Override
        public void checkChannels(int channels) {
            if (channels % 2 != 0) {
                throw new IllegalArgumentException("Glow coupling needs an even channel count, got " + channels);
            }
        }

        @Override
        public StepFactory factory(int hidden, boolean invConvBias, int numClasses) {
            return (g, name, c, h, w) -> new FlowSequence(List.of(
                    new ActNorm(g, name + "/actnorm", c, h, w),
                    new InvertibleConv1x1(g, name + "/invconv", c, h, w, invConvBias),
                    new AffineCoupling(g, name + "/coupling", c, hidden, additiveCoupling, numClasses)));
        }
    }

    /** DLF: invertible 1x1 conv -> dynamic linear transformation. */
    record Dlf(DynamicLinear.Options options) implements StepSpec {
        @Override
        public String kind() {
            return "dlf";
        }

        @Override
        public String describe() {
            return String.format("dlf (K=%d, %s form, %s parts, %s first part, logs init tanh*%.3g%+.3g)",
                    options.parts(), options.form() == DynamicLinear.Form.INVERSE ? "inverse" : "non-inverse",
                    options.partition().name().toLowerCase(java.util.Locale.ROOT),
                    options.firstPart().name().toLowerCase(java.util.Locale.ROOT),
                    options.logScaleRescaleInit(), options.logScaleShiftInit());
        }

        @Override
        public void checkChannels(int channels) {
            DynamicLinear.partSizes(channels, options.parts(), options.partition());
        }

        @Override
        public StepFactory factory(int hidden, boolean invConvBias, int numClasses) {
            return (g, name, c, h, w) -> new FlowSequence(List.of(
                    new InvertibleConv1x1(g, name + "/invconv", c, h, w, invConvBias),
                    new DynamicLinear(g, name + "/dynlinear", c, h, w, options, hidden, numClasses)));
        }
    }
}
