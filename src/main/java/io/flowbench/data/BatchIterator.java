package io.flowbench.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of one split, prepared on a background thread into a bounded queue so that decoding, flipping
 * and copying into ND4J arrays stay off the training thread.
 *
 * <p>Deterministic for a seed: epoch e visits the examples in the permutation drawn from (seed, e) and
 * mirrors those whose coin (same stream) came up; batch s of the whole run is always the same, whatever
 * the thread timing, and {@link Builder#startStep} resumes mid-run (after a checkpoint) with exactly the
 * batches an uninterrupted run would have seen.
 *
 * <pre>{@code
 * try (BatchIterator it = BatchIterator.training(splits.train(), 64, seed, splits.hflip())) {
 *     while (step < steps) { Batch b = it.next(); ... }
 * }
 * try (BatchIterator it = BatchIterator.sequential(splits.test(), 500)) { while (it.hasNext()) ... }
 * }</pre>
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {

    private static final Object END = new Object();

    private record Failure(Throwable error) {
    }

    private final ImageDataset data;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean hflip;
    private final boolean dropLast;
    private final int epochs;
    private final long startStep;
    private final int batchesPerEpoch;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private volatile boolean closed;
    private Object pending;

    private BatchIterator(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.hflip = b.hflip;
        this.dropLast = b.dropLast;
        this.epochs = b.epochs;
        this.startStep = b.startStep;
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.batchesPerEpoch = dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
        if (batchesPerEpoch == 0 && (epochs == 0 || data.size() > 0)) {
            throw new IllegalArgumentException(data + " has fewer examples than one batch of " + batchSize
                    + (dropLast ? "; lower the batch size" : ""));
        }
        this.queue = new ArrayBlockingQueue<>(Math.max(1, b.prefetch));
        this.producer = new Thread(this::produce, "flowbench-batches-" + data.dataset() + "-" + data.split());
        producer.setDaemon(true);
        producer.start();
    }

    /** A builder over one split: defaults shuffle, no flips, drop the last partial batch, endless, prefetch 4. */
    public static Builder over(ImageDataset data) {
        return new Builder(data);
    }

    /** Endless training batches: reshuffled every epoch, full batches only, flipped at random when asked. */
    public static BatchIterator training(ImageDataset data, int batchSize, long seed, boolean hflip) {
        return over(data).batchSize(batchSize).seed(seed).hflip(hflip).build();
    }

    /** One pass over the whole split in order, the last batch possibly smaller: for evaluation. */
    public static BatchIterator sequential(ImageDataset data, int batchSize) {
        return over(data).batchSize(batchSize).shuffle(false).dropLast(false).epochs(1).build();
    }

    /** Batches in one epoch. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Batches this iterator yields in all, or -1 when endless. */
    public long totalBatches() {
        return epochs == 0 ? -1 : Math.max(0, (long) epochs * batchesPerEpoch - startStep);
    }

    @Override
    public boolean hasNext() {
        if (pending == null) {
            if (closed) {
                return false;
            }
            try {
                pending = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
        }
        if (pending instanceof Failure f) {
            pending = END;
            throw new IllegalStateException("preparing a batch of " + data + " failed: " + f.error(), f.error());
        }
        return pending != END;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches of " + data);
        }
        Batch b = (Batch) pending;
        pending = null;
        return b;
    }

    /** Stops the background thread and frees the batches it had prepared. */
    @Override
    public void close() {
        closed = true;
        producer.interrupt();
        try {
            producer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Object o : queue) {
            if (o instanceof Batch b) {
                b.close();
            }
        }
        queue.clear();
        pending = END;
    }

    private void produce() {
        try {
            int[] order = null;
            boolean[] flips = null;
            int cachedEpoch = -1;
            long end = epochs == 0 ? Long.MAX_VALUE : (long) epochs * batchesPerEpoch;
            for (long step = startStep; step < end && !closed; step++) {
                int epoch = (int) (step / batchesPerEpoch);
                if (epoch != cachedEpoch) {
                    SplittableRandom random = Shuffling.random(seed, epoch);
                    order = shuffle ? Shuffling.permutation(data.size(), random) : identity(data.size());
                    flips = hflip ? coins(data.size(), random) : null;
                    cachedEpoch = epoch;
                }
                int from = (int) (step % batchesPerEpoch) * batchSize;
                int count = Math.min(batchSize, data.size() - from);
                queue.put(make(order, flips, from, count, epoch, step));
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable t) {
            try {
                queue.put(new Failure(t));
            } catch (InterruptedException e) {
                // closed
            }
        }
    }

    private Batch make(int[] order, boolean[] flips, int from, int count, int epoch, long step) {
        float[] pixels = new float[count * data.exampleLength()];
        data.copyAsFloats(order, from, count, flips, pixels);
        INDArray images = Nd4j.create(pixels, new long[] {count, data.channels(), data.height(), data.width()}, DataType.FLOAT);
        int[] indices = new int[count];
        int[] labels = new int[count];
        boolean[] flipped = new boolean[count];
        INDArray oneHot = null;
        float[] hot = data.labeled() ? new float[count * data.numClasses()] : null;
        for (int j = 0; j < count; j++) {
            indices[j] = order[from + j];
            labels[j] = data.label(indices[j]);
            flipped[j] = flips != null && flips[from + j];
            if (hot != null) {
                hot[j * data.numClasses() + labels[j]] = 1f;
            }
        }
        if (hot != null) {
            oneHot = Nd4j.create(hot, new long[] {count, data.numClasses()}, DataType.FLOAT);
        }
        return new Batch(images, labels, oneHot, indices, flipped, epoch, step);
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static boolean[] coins(int n, SplittableRandom random) {
        boolean[] c = new boolean[n];
        for (int i = 0; i < n; i++) {
            c[i] = random.nextBoolean();
        }
        return c;
    }

    /** Configures a {@link BatchIterator}. */
    public static final class Builder {
        private final ImageDataset data;
        private int batchSize = 64;
        private long seed;
        private boolean shuffle = true;
        private boolean hflip;
        private boolean dropLast = true;
        private int epochs;
        private int prefetch = 4;
        private long startStep;

        private Builder(ImageDataset data) {
            this.data = data;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Visit each epoch in a fresh seeded order (true) or in split order (false). */
        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** Mirror each example left-right with probability 1/2 (seeded). */
        public Builder hflip(boolean v) {
            hflip = v;
            return this;
        }

        /** Leave out each epoch's last partial batch (true) or yield it smaller (false). */
        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /** Stop after this many epochs; 0: never. */
        public Builder epochs(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, got " + v);
            }
            epochs = v;
            return this;
        }

        /** How many batches the background thread may prepare ahead. */
        public Builder prefetch(int v) {
            prefetch = v;
            return this;
        }

        /** Begin at this batch of the run (resuming): the batches are those an unbroken run yields from there. */
        public Builder startStep(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("startStep must be >= 0, got " + v);
            }
            startStep = v;
            return this;
        }

        public BatchIterator build() {
            return new BatchIterator(this);
        }
    }
}
