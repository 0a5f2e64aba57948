package io.flowbench.samediff;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SameDiff's array cache (an array released by one op is handed to a later op of the same shape, in this
 * execution or the next), less the arrays nothing asks for again. 1.0.0-M2.1's cache keeps what it is given
 * until it holds a quarter of JavaCPP's maxbytes, and it is given arrays it never hands out again: the scalar
 * results of reductions, which the executioner allocates itself (about 60 per Glow training step), so the
 * cache's bookkeeping grows with every step of a run. Here an array that lies unused through one whole
 * execution is closed. {@link FlowSession} calls {@link #startExecution()} as each execution begins.
 */
final class AgingArrayCache extends ArrayCacheMemoryMgr {
    /** Ids of the arrays that were in the cache when the previous execution began. */
    private Set<Long> cachedBeforePrevious = Set.of();

    /** Closes the arrays cached before the previous execution began that it did not reuse. */
    void startExecution() {
        for (Long id : cachedBeforePrevious) {
            INDArray array = getLruCacheValues().get(id);
            if (array != null) {
                evict(id, array);
            }
        }
        cachedBeforePrevious = new HashSet<>(getLruCache());
    }

    /** How many arrays the cache holds. */
    int size() {
        return getLruCache().size();
    }

    private void evict(Long id, INDArray array) {
        getLruCache().remove(id);
        getLruCacheValues().remove(id);
        List<INDArray> sameShape = getArrays().get(array.dataType(), Arrays.toString(array.shape()));
        if (sameShape != null) {
            // By identity: INDArray.equals compares values, and another cached array may hold the same ones.
            sameShape.removeIf(cached -> cached == array);
        }
        setCurrentCacheSize(getCurrentCacheSize() - array.data().length() * array.dataType().width());
        if (array.closeable()) {
            array.close();
        }
    }
}
