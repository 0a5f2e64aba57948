package io.flowbench.probe;

import com.typesafe.config.Config;
import io.flowbench.data.ImageDataset;

/**
 * The {@code probe} block of an experiment: whether each run ends with a linear probe of its latents, how
 * many training and test examples it uses, and how many epochs the classifier trains. Ranges are checked
 * with the experiment file (config.NumericKeys).
 *
 * @param trainExamples examples drawn from the training split (0: all of it), at most {@link #MAX_VALUES} values
 * @param testExamples  examples drawn from the test split (0: all of it), likewise
 */
public record ProbeSettings(boolean enabled, int trainExamples, int testExamples, int epochs) {
    /** Fixed, so that every run and the pixel baseline probe the same examples. */
    private static final long EXAMPLES_SEED = 0;
    /**
     * At most this many feature values (examples x dimensions) per split: a fit holds about three copies of the
     * training examples at 12 bytes a value (~1.4 GB here), so ImageNet 64x64 gets 3,255 examples, not 10,000.
     */
    static final int MAX_VALUES = 40_000_000;

    public static ProbeSettings from(Config experiment) {
        Config p = experiment.getConfig("probe");
        return new ProbeSettings(p.getBoolean("enabled"), p.getInt("train-examples"), p.getInt("test-examples"),
                p.getInt("epochs"));
    }

    /** The training examples the probe fits, in split order. */
    public ImageDataset trainExamples(ImageDataset train) {
        return draw(train, trainExamples);
    }

    /** The test examples the probe is scored on, in split order. */
    public ImageDataset testExamples(ImageDataset test) {
        return draw(test, testExamples);
    }

    private static ImageDataset draw(ImageDataset split, int requested) {
        int wanted = requested == 0 ? split.size() : Math.min(requested, split.size());
        int cap = Math.max(1, MAX_VALUES / split.exampleLength());
        return split.sample(Math.min(wanted, cap), EXAMPLES_SEED, "the linear probe");
    }

    public LinearProbe probe() {
        return new LinearProbe(epochs);
    }
}
