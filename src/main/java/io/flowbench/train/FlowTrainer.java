package io.flowbench.train;

import io.flowbench.model.FlowModel;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Runs optimisation steps of a flow model on batches of dequantized images, minimising mean
 * bits/dim. Initialises data-dependent layers on the first batch and refuses to train through a
 * non-finite loss.
 */
public final class FlowTrainer {
    private final FlowModel model;
    private final LossCapture lossCapture = new LossCapture();
    private long steps;

    public FlowTrainer(FlowModel model, IUpdater updater) {
        this.model = model;
        List<String> features = new ArrayList<>(List.of(FlowModel.INPUT));
        if (model.spec().conditional()) {
            features.add(FlowModel.LABEL);
        }
        model.graph().setTrainingConfig(new TrainingConfig.Builder()
                .updater(updater)
                .dataSetFeatureMapping(features)
                .markLabelsUnused()
                .minimize(FlowModel.LOSS)
                .build());
    }

    public FlowModel model() {
        return model;
    }

    public long steps() {
        return steps;
    }

    /**
     * One optimisation step; returns the batch's mean bits/dim before the update.
     *
     * @throws NonFiniteLossException when the loss is NaN or infinite
     */
    public double step(INDArray x, INDArray labels) {
        if (!model.isInitialised()) {
            model.initialise(x, labels);
        }
        INDArray[] features = model.spec().conditional()
                ? new INDArray[] {x.castTo(model.dtype()), labels.castTo(model.dtype())}
                : new INDArray[] {x.castTo(model.dtype())};
        model.graph().fit(new MultiDataSet(features, new INDArray[0]), lossCapture);
        steps++;
        double loss = lossCapture.last;
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(steps, loss);
        }
        return loss;
    }

    /** SameDiff's fit reports the loss only to listeners. */
    private static final class LossCapture extends BaseListener {
        private double last = Double.NaN;

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void iterationDone(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet dataSet, Loss loss) {
            last = loss.totalLoss();
        }
    }
}
