package io.flowbench.probe;

import com.typesafe.config.Config;
import io.flowbench.data.ImageDataset;

/**
 * The {@code probe} block of an experiment: whether each run ends with a linear probe of its latents, how
 * many training and test examples it uses, and how many epochs the classifier trains. Ranges are checked
 * with the experiment file (config.NumericKeys).
 *
 * @param trainExamples examples drawn from the training split (0: all of it)
 * @param testExamples  examples drawn from the test split (0: all of it)
 */
public record ProbeSettings(boolean enabled, int trainExamples, int testExamples, int epochs) {
    /** Fixed, so that every run and the pixel baseline probe the same examples. */
    private static final long EXAMPLES_SEED = 0;

    public static ProbeSettings from(Config experiment) {
        Config p = experiment.getConfig("probe");
        return new ProbeSettings(p.getBoolean("enabled"), p.getInt("train-examples"), p.getInt("test-examples"),
                p.getInt("epochs"));
    }

    /** The training examples the probe fits, in split order. */
    public ImageDataset trainExamples(ImageDataset train) {
        return train.sample(trainExamples, EXAMPLES_SEED, "the linear probe");
    }

    /** The test examples the probe is scored on, in split order. */
    public ImageDataset testExamples(ImageDataset test) {
        return test.sample(testExamples, EXAMPLES_SEED, "the linear probe");
    }

    public LinearProbe probe() {
        return new LinearProbe(epochs);
    }
}
