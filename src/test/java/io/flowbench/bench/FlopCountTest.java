package io.flowbench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowbench.flow.DynamicLinear;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.flow.resflow.SeriesOptions;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import org.junit.jupiter.api.Test;

/** The analytic FLOP count against counts done by hand for tiny models. */
class FlopCountTest {
    private static final LatentShape INPUT = new LatentShape(1, 4, 4);

    private static ModelSpec spec(StepSpec step, int classes) {
        return new ModelSpec(INPUT, 2, 1, 8, 8, classes, true, false, step);
    }

    private static StepSpec dlf(int parts) {
        return new StepSpec.Dlf(new DynamicLinear.Options(parts, DynamicLinear.Form.NON_INVERSE,
                DynamicLinear.Partition.EQUAL, DynamicLinear.FirstPart.LEARNED, 1.0, 0.0));
    }

    @Test
    void glowByHand() {
        // Level 0: 4 channels on 2x2 (4 pixels). invconv 2*4*4*4 = 128; coupling net 2 -> 8 -> 8 -> 4:
        // 2*9*2*8*4 = 1152, 2*8*8*4 = 512, 2*9*8*4*4 = 2304; split prior 2 -> 2*2: 2*9*2*4*4 = 576.
        // Level 1: 8 channels on 1x1. invconv 2*8*8 = 128; net 4 -> 8 -> 8 -> 8: 576, 128, 1152.
        FlopCount f = FlopCount.of(spec(new StepSpec.Glow(false), 0));
        assertEquals(128 + 1152 + 512 + 2304 + 576 + 128 + 576 + 128 + 1152, f.forwardPerImage());
        assertEquals(256, f.perImage().get("invconv 1x1"));
        assertEquals(576, f.perImage().get("prior conv3x3"));
        // W = P (L U) per 1x1 conv: two C x C products, 4*C^3 FLOPs; C = 4 and 8.
        assertEquals(4 * 64 + 4 * 512, f.perBatch());
        assertEquals(10 * 6656 + 2304, f.forward(10));
        assertEquals(3 * (10 * 6656 + 2304), f.training(10));
    }

    @Test
    void additiveCouplingOutputsHalfTheChannels() {
        // The nets' last conv goes to C/2: 2*9*8*2*4 = 1152 at level 0, 2*9*8*4 = 576 at level 1.
        FlopCount f = FlopCount.of(spec(new StepSpec.Glow(true), 0));
        assertEquals(6656 - 2304 + 1152 - 1152 + 576, f.forwardPerImage());
    }

    @Test
    void dlfWithFourPartsHasANetPerPartAfterTheFirst() {
        // Level 0: 4 channels in parts of 1: three nets 1 -> 8 -> 8 -> 2 on 4 pixels:
        // 3 * (2*9*1*8*4 + 2*8*8*4 + 2*9*8*2*4) = 3 * (576 + 512 + 1152). Level 1: parts of 2, nets
        // 2 -> 8 -> 8 -> 4 on 1 pixel: 3 * (288 + 128 + 576). Plus the invconvs and the prior.
        FlopCount f = FlopCount.of(spec(dlf(4), 0));
        assertEquals(128 + 3 * (576 + 512 + 1152) + 576 + 128 + 3 * (288 + 128 + 576), f.forwardPerImage());
    }

    @Test
    void classConditionalAddsLinearTerms() {
        // 3 classes. DLF K=2: part 1's [3 x 2*2] at level 0 and [3 x 2*4] at level 1; g_2's class term
        // into 2*2 and 2*4 channels; the top prior's [3 x 2*8] (8 channels at the top): 2*3*(4 + 8 + 4 + 8 + 16).
        FlopCount plain = FlopCount.of(spec(dlf(2), 0));
        FlopCount conditional = FlopCount.of(spec(dlf(2), 3));
        assertEquals(2 * 3 * (4 + 8 + 4 + 8 + 16), conditional.perImage().get("class linear"));
        assertEquals(plain.forwardPerImage() + 240, conditional.forwardPerImage());
    }

    @Test
    void aFactorOutMaskAddsItsThreeBatchedPermutationProducts() {
        // Level 0's mask on [4, 2, 2]: D = 16 on a 4 x 4 grid; each element meets a row of three
        // 4-long matrices: 2*16*(4 + 4 + 4) = 384. Level 1 (the top) has no factor-out, so no mask.
        ModelSpec checkerboard = new ModelSpec(INPUT, 2, 1, 8, 8, 0, true, false, new StepSpec.Glow(false), true,
                Preprocessing.NONE, new FactorOutPolicy(FactorOutPolicy.Kind.CHECKERBOARD, FactorOutPolicy.Order.HIGHEST, 0));
        FlopCount f = FlopCount.of(checkerboard);
        assertEquals(384, f.perImage().get("factor-out mask"));
        assertEquals(FlopCount.of(spec(new StepSpec.Glow(false), 0)).forwardPerImage() + 384, f.forwardPerImage());
    }

    @Test
    void resflowCountsGAndEachSeriesTermItsGraphHolds() {
        // g at level 0: 4 channels on 2x2, 4 -> 8 -> 8 -> 4: 2*9*4*8*4 = 2304, 2*8*8*4 = 512, 2304: 5120.
        // Level 1: 8 channels on 1x1, 8 -> 8 -> 8 -> 8: 1152 + 128 + 1152 = 2432. Each of the graph's 5
        // terms is g's convolutions again (without bias); neumann adds J u. Prior 576 as for glow.
        ResFlowStep backprop = new ResFlowStep(0.9, new SeriesOptions(Roulette.POISSON, 2, 5, GradientMode.BACKPROP_SERIES),
                20, true);
        FlopCount f = FlopCount.of(spec(backprop, 0));
        assertEquals(5120 + 2432, f.perImage().get("resblock g"));
        assertEquals(5 * (5120 + 2432), f.perImage().get("resblock series J^k v"));
        assertEquals(6 * (5120 + 2432) + 576, f.forwardPerImage());
        ResFlowStep neumann = new ResFlowStep(0.9, new SeriesOptions(Roulette.POISSON, 2, 5, GradientMode.NEUMANN), 20, true);
        assertEquals(6 * (5120 + 2432), FlopCount.of(spec(neumann, 0)).perImage().get("resblock series J^k v"));
    }

    /** Evaluation runs the evaluation twin's series (eval-n-exact terms, forward only); sampling's cost is unknown. */
    @Test
    void resflowEvaluationIsCountedWithItsOwnSeries() {
        ResFlowStep step = new ResFlowStep(0.9, new SeriesOptions(Roulette.POISSON, 2, 5, GradientMode.NEUMANN), 20, true);
        ModelSpec evaluation = spec(step, 0).withStep(step.forEvaluation());
        int terms = step.forEvaluation() instanceof ResFlowStep e ? e.series().capacity() : 0;
        assertEquals(true, terms >= 20, "the twin holds at least its 20 exact terms: " + terms);
        assertEquals(terms * (5120 + 2432), FlopCount.of(evaluation).perImage().get("resblock series J^k v"));
        assertEquals(false, step.invertsInClosedForm());
        assertEquals(true, new StepSpec.Glow(false).invertsInClosedForm());
    }

    /** Neumann's series runs forward-only to the batch's longest draw: its training FLOPs are not a fixed count. */
    @Test
    void onlyNeumannTrainingHasNoFixedCount() {
        ResFlowStep neumann = new ResFlowStep(0.9, new SeriesOptions(Roulette.POISSON, 2, 5, GradientMode.NEUMANN), 20, true);
        ResFlowStep backprop = new ResFlowStep(0.9, new SeriesOptions(Roulette.POISSON, 2, 5, GradientMode.BACKPROP_SERIES),
                20, true);
        assertEquals(false, neumann.trainsAFixedGraph());
        assertEquals(true, backprop.trainsAFixedGraph());
        assertEquals(true, new StepSpec.Glow(false).trainsAFixedGraph());
    }
}
