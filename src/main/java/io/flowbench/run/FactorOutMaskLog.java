package io.flowbench.run;

import io.flowbench.flow.FactorOutMask;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.FlowModel;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.util.Sha256;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Records each factor-out mask of a run once it is fixed: its SHA-256 as the parameter
 * {@code factor-out-mask.level<l>} and a picture {@code factor-out/mask-level<l>.png} (one tile
 * per channel of the squeezed level, white where a dimension is factored out) when the run finishes.
 */
record FactorOutMaskLog(TrackedRun run, FlowModel model) implements TrainingListener {
    /** Logs the masks when the model has any and its warm-up (if any) is over after {@code steps}. */
    @Override
    public void onFinish(long steps) {
        if (steps < model.spec().factorOutPolicy().warmupSteps()) {
            return;
        }
        for (int level = 0; level < model.factorOutMasks().size(); level++) {
            FactorOutMask mask = model.factorOutMasks().get(level);
            boolean[] factored = mask.mask();
            byte[] bytes = new byte[factored.length];
            double[] tiles = new double[factored.length];
            for (int i = 0; i < factored.length; i++) {
                bytes[i] = (byte) (factored[i] ? 1 : 0);
                tiles[i] = factored[i] ? 0.499 : -0.5;
            }
            run.logParam(RunKeys.Param.FACTOR_OUT_MASK + level, Sha256.of(bytes));
            LatentShape s = mask.shape();
            INDArray image = Nd4j.create(tiles, new long[] {s.channels(), 1, s.height(), s.width()}, DataType.DOUBLE);
            run.logImage(SampleGrid.of(image, 8), RunKeys.Artifact.factorOutMask(level));
        }
    }
}
