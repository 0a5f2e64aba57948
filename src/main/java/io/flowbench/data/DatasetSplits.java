package io.flowbench.data;

import io.flowbench.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resolved dataset: train, validation (possibly empty) and test splits, the options that made them,
 * whether training batches are flipped, and how long loading took.
 */
public record DatasetSplits(ImageDataset train, ImageDataset validation, ImageDataset test, DataOptions options,
                           boolean hflip, double loadSeconds) {
    /** Prefixes of the training and test splits' provenance params. */
    public static final String TRAIN_PARAMS = "data.train.";
    public static final String TEST_PARAMS = "data.test.";

    /** Endless, reshuffled training batches with the options' seed and flips. */
    public BatchIterator trainingBatches(int batchSize) {
        return BatchIterator.training(train, batchSize, options.seed(), hflip);
    }

    /**
     * Everything a run should record: the options ({@code data.*}), the resolved flips, and each split's
     * provenance ({@code data.train.*}, {@code data.validation.*}, {@code data.test.*}: examples, shape,
     * content and source hashes, source, derivation).
     */
    public Map<String, String> params() {
        Map<String, String> m = new LinkedHashMap<>(options.toParams());
        m.put("data.hflip", Boolean.toString(hflip));
        m.putAll(train.provenance().toParams(TRAIN_PARAMS));
        m.putAll(validation.provenance().toParams("data.validation."));
        m.putAll(test.provenance().toParams(TEST_PARAMS));
        return m;
    }

    /** The three splits' provenance records as one JSON object (what {@code data check} prints). */
    public String provenanceJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train", train.provenance().toMap());
        m.put("validation", validation.provenance().toMap());
        m.put("test", test.provenance().toMap());
        return Json.pretty(m);
    }
}
