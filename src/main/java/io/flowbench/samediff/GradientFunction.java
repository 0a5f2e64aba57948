package io.flowbench.samediff;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** SameDiff's backward graph ("gradient function"), built and executed the way 1.0.0-M2.1 needs. */
public final class GradientFunction {
    /** Name under which SameDiff keeps the backward graph ({@code SameDiff.GRAD_FN_KEY}, not public in M2.1). */
    static final String KEY = "grad";

    private GradientFunction() {
    }

    /**
     * Builds the backward graph once, and applies {@link BackwardRewrites} to it (also to one SameDiff built
     * before, e.g. by {@code calculateGradients}). 1.0.0-M2.1's createGradFunction prints one line per op with
     * System.out.println (hundreds per model, no logger to turn down), so for the duration of the call
     * System.out drops what this thread writes; other threads' output goes through.
     */
    public static synchronized void create(SameDiff sd) {
        FlowSession.install(); // the rewritten graph has ops that only FlowSession runs
        if (!sd.hasGradientFunction()) {
            build(sd);
        }
        BackwardRewrites.apply(sd.getFunction(KEY));
    }

    private static void build(SameDiff sd) {
        PrintStream out = System.out;
        Thread muted = Thread.currentThread();
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (Thread.currentThread() != muted) {
                    out.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (Thread.currentThread() != muted) {
                    out.write(b, off, len);
                }
            }

            @Override
            public void flush() {
                out.flush();
            }
        }, true));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(out);
        }
    }

    /**
     * Adds to the backward graph one op ({@link ConcatenatedRows}) that lays the named gradients end to end,
     * each in row-major order, in one vector; returns the vector's name. Asking for it instead of the
     * gradients saves what 1.0.0-M2.1 spends per requested output (a copy of the graph's variable map each)
     * and lets the session recycle the gradients' arrays. {@link #create} must have run.
     */
    public static String concatenated(SameDiff sd, List<String> gradients) {
        SameDiff gradFn = sd.getFunction(KEY);
        SDVariable[] parts = gradients.stream().map(gradFn::getVariable).toArray(SDVariable[]::new);
        return new ConcatenatedRows(gradFn, parts).outputVariable().name();
    }

    /**
     * Runs the backward graph for the given outputs (the loss, gradient variables): what
     * {@code SameDiff.calculateGradientsAndOutputs} does, except that it switches the array cache off
     * on every call, so every intermediate array of every step is a fresh allocation freed only when the
     * garbage collector gets round to it (gigabytes of resident memory and page faults per step). With
     * the cache on, the session recycles one step's arrays in the next; requested outputs are never
     * recycled. {@link #create} must have run.
     */
    public static Map<String, INDArray> execute(SameDiff sd, Map<String, INDArray> inputs, String... outputs) {
        SameDiff gradFn = sd.getFunction(KEY);
        gradFn.setEnableCache(true);
        gradFn.setListeners(sd.getListeners());
        return gradFn.output(inputs, outputs);
    }
}
