package io.flowbench.samediff;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.shade.guava.collect.Table;

/**
 * SameDiff's array cache (an array released by one op is handed to a later op asking for the same type and
 * shape, in this execution or a later one), holding per type and shape no more arrays than one execution has
 * asked for: no execution could use more. 1.0.0-M2.1's cache keeps whatever it is given until it holds a
 * quarter of JavaCPP's maxbytes, and it is given arrays it never hands out again (it allocates scalars afresh
 * on every request, about 60 per Glow training step, then caches them when they are released), so without
 * the bound its contents grow with every step of a run. It also gives every array it hands out an id that no
 * other array has ({@link #withUniqueId}). {@link FlowSession} calls {@link #startExecution()} as each
 * execution begins.
 */
final class BoundedArrayCache extends ArrayCacheMemoryMgr {
    private record Key(DataType type, String shape) { }

    /** BaseNDArray's private id field and id counter. */
    private static final VarHandle ARRAY_ID;
    private static final AtomicLong ARRAY_COUNTER;

    static {
        try {
            MethodHandles.Lookup nd4j = MethodHandles.privateLookupIn(BaseNDArray.class, MethodHandles.lookup());
            ARRAY_ID = nd4j.findVarHandle(BaseNDArray.class, "arrayId", long.class);
            ARRAY_COUNTER = (AtomicLong) nd4j.findStaticVarHandle(BaseNDArray.class, "arrayCounter", AtomicLong.class)
                    .get();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Key, Integer> askedThisExecution = new HashMap<>();
    private final Map<Key, Integer> mostAskedInAnExecution = new HashMap<>();

    @Override
    public INDArray allocate(boolean detached, DataType type, long... shape) {
        askedThisExecution.merge(key(type, shape), 1, Integer::sum);
        return withUniqueId(super.allocate(detached, type, shape));
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        askedThisExecution.merge(key(descriptor.dataType(), descriptor.getShape()), 1, Integer::sum);
        return withUniqueId(super.allocate(detached, descriptor));
    }

    /**
     * Gives an array a fresh id. The base class gives an array it hands out again the id that the next new
     * array will get too (constructors take the counter's getAndIncrement, assignNewId its incrementAndGet),
     * and the session and the cache tell arrays apart by id: the session skips releasing an array whose id
     * it has already released in this execution, so it left about 325 arrays (240 MB) per Glow
     * {@code fmnist-small} training step to the garbage collector, and ND4J frees an array's memory only
     * once the collector has found it.
     */
    private static INDArray withUniqueId(INDArray array) {
        if (array instanceof BaseNDArray) {
            ARRAY_ID.set(array, ARRAY_COUNTER.getAndIncrement());
        }
        return array;
    }

    /** Closes the cached arrays of each type and shape beyond the most that one execution has asked for. */
    void startExecution() {
        askedThisExecution.forEach((key, asked) -> mostAskedInAnExecution.merge(key, asked, Math::max));
        askedThisExecution.clear();
        for (Table.Cell<DataType, String, List<INDArray>> cell : getArrays().cellSet()) {
            int keep = mostAskedInAnExecution.getOrDefault(new Key(cell.getRowKey(), cell.getColumnKey()), 0);
            List<INDArray> cached = cell.getValue();
            while (cached.size() > keep) {
                evict(cached.remove(cached.size() - 1));
            }
        }
    }

    /** Closes every cached array. */
    void clear() {
        for (Table.Cell<DataType, String, List<INDArray>> cell : getArrays().cellSet()) {
            List<INDArray> cached = cell.getValue();
            while (!cached.isEmpty()) {
                evict(cached.remove(cached.size() - 1));
            }
        }
    }

    /** How many arrays the cache holds. */
    int size() {
        return getLruCache().size();
    }

    /** How many arrays of this type and shape the cache holds. */
    int size(DataType type, long... shape) {
        List<INDArray> cached = getArrays().get(type, Arrays.toString(shape));
        return cached == null ? 0 : cached.size();
    }

    /** The base class keys its table by the shape's {@code Arrays.toString}. */
    private static Key key(DataType type, long[] shape) {
        return new Key(type, Arrays.toString(shape));
    }

    private void evict(INDArray array) {
        getLruCache().remove(array.getId());
        getLruCacheValues().remove(array.getId());
        setCurrentCacheSize(getCurrentCacheSize() - array.data().length() * array.dataType().width());
        if (array.closeable()) {
            array.close();
        }
    }
}
