package io.flowbench.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The listeners of one run, each hook called on every listener in registration order. */
final class TrainingListeners implements TrainingListener {
    private final List<TrainingListener> listeners = new ArrayList<>();

    private interface Hook {
        void call(TrainingListener listener) throws IOException;
    }

    TrainingListeners add(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public void onStep(long step) throws IOException {
        each(l -> l.onStep(step));
    }

    @Override
    public void onWindow(TrainingWindow.Summary window) throws IOException {
        each(l -> l.onWindow(window));
    }

    @Override
    public void onEvaluation(Evaluation evaluation) throws IOException {
        each(l -> l.onEvaluation(evaluation));
    }

    @Override
    public void onFinish(long steps) throws IOException {
        each(l -> l.onFinish(steps));
    }

    @Override
    public void onStop(long steps) throws IOException {
        each(l -> l.onStop(steps));
    }

    private void each(Hook hook) throws IOException {
        for (TrainingListener listener : listeners) {
            hook.call(listener);
        }
    }
}
