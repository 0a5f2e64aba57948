package io.flowbench.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * One optimizer over the gradients of several parameters laid end to end in one vector, in a fixed order.
 * ND4J's updaters are element-wise, so one updater over the vector computes what one per parameter would,
 * in a few ops per step instead of a few per parameter (Glow has 183 parameters: about 1,300 ops and 10 ms
 * a step). Each parameter's state is read and written as views of the vector's state, under the keys
 * and in the shapes a per-parameter updater has, which is what checkpoints hold.
 */
final class FlatOptimizer {
    /** A parameter's place in the vector. */
    record Slot(String name, long[] shape, long offset, long length) { }

    private final List<Slot> slots;
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    private final long length;
    private final INDArray state;
    private final GradientUpdater<?> updater;

    /** @param shapes the parameters' shapes, in the order their gradients lie in the vector */
    FlatOptimizer(IUpdater config, Map<String, long[]> shapes, DataType type) {
        List<Slot> laid = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, long[]> p : shapes.entrySet()) {
            long n = 1;
            for (long d : p.getValue()) {
                n *= d;
            }
            Slot s = new Slot(p.getKey(), p.getValue().clone(), offset, n);
            laid.add(s);
            byName.put(s.name(), s);
            offset += n;
        }
        this.slots = Collections.unmodifiableList(laid);
        this.length = offset;
        long size = config.stateSize(length);
        this.state = size == 0 ? null : Nd4j.zeros(type, 1, size);
        this.updater = config.instantiate(state, true);
    }

    List<Slot> slots() {
        return slots;
    }

    /** The number of elements of the vector. */
    long length() {
        return length;
    }

    /** Turns the gradient vector, in place, into the update to subtract from the parameters. */
    void toUpdate(INDArray gradient, int iteration) {
        if (gradient.length() != length) {
            throw new IllegalArgumentException("gradient vector has " + gradient.length() + " elements, the parameters " + length);
        }
        updater.applyUpdater(gradient, iteration, 0);
    }

    /** The part of {@code vector} (laid out like the gradients) that belongs to {@code slot}, in its shape. */
    static INDArray view(INDArray vector, Slot slot) {
        long[] stride = Nd4j.getStrides(slot.shape(), 'c');
        return Nd4j.create(vector.data(), slot.shape(), stride, vector.offset() + slot.offset(), 'c');
    }

    /** A parameter's state (live views, possibly none), under the keys a per-parameter updater uses. */
    Map<String, INDArray> state(String name) {
        Slot slot = byName.get(name);
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (slot != null && state != null) {
            // The updater's state arrays are vectors over the whole layout; ours are their slices.
            updater.getState().forEach((key, whole) -> {
                if (whole.length() != length || whole.rank() != 1 || whole.stride(0) != 1) {
                    throw new IllegalStateException("updater state " + key + " is not a vector over the parameters: "
                            + whole.shapeInfoToString());
                }
                out.put(key, view(whole, new Slot(name, new long[] {slot.length()}, slot.offset(), slot.length())));
            });
        }
        return out;
    }

    /** Zeroes the state of every parameter. */
    void zeroState() {
        if (state != null) {
            state.assign(0);
        }
    }
}
