package io.flowbench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.data.ImageDataset;
import org.junit.jupiter.api.Test;

/** The probe on pixels: perfect where classes are linearly separable, chance where labels say nothing. */
class LinearProbeTest {
    private static final LinearProbe PROBE = new LinearProbe(5);

    @Test
    void separableClassesAreFoundOnPixels() {
        LinearProbe.Accuracy a = PROBE.fit(LinearProbe.Examples.pixels(SeparableImages.split("train", 1000, 1, null)),
                LinearProbe.Examples.pixels(SeparableImages.split("test", 500, 2, null)));
        assertTrue(a.train() >= 0.99, "training accuracy " + a.train());
        assertTrue(a.test() >= 0.99, "test accuracy " + a.test());
    }

    /** Negative control: the same images with shuffled labels; 500 test images put chance (10%) within +-4% at 3 sd. */
    @Test
    void shuffledLabelsScoreChance() {
        LinearProbe.Accuracy a = PROBE.fit(LinearProbe.Examples.pixels(SeparableImages.split("train", 1000, 1, 7L)),
                LinearProbe.Examples.pixels(SeparableImages.split("test", 500, 2, 8L)));
        assertTrue(Math.abs(a.test() - 0.1) < 0.05, "test accuracy " + a.test() + ", chance is 0.1");
    }

    /** Constant features (blank borders) are left out instead of dividing by their zero deviation. */
    @Test
    void constantFeaturesAreLeftOut() {
        float[][] train = {{0, 1, 5}, {0, 2, 5}, {0, 8, 5}, {0, 9, 5}};
        int[] labels = {0, 0, 1, 1};
        LinearProbe.Accuracy a = new LinearProbe(20).fit(new LinearProbe.Examples(train, labels),
                new LinearProbe.Examples(new float[][] {{0, 0, 5}, {0, 10, 5}}, new int[] {0, 1}));
        assertEquals(1.0, a.train());
        assertEquals(1.0, a.test());
    }

    @Test
    void sameExamplesSameAccuracy() {
        ImageDataset train = SeparableImages.split("train", 300, 3, 9L);
        ImageDataset test = SeparableImages.split("test", 200, 4, 10L);
        assertEquals(PROBE.fit(LinearProbe.Examples.pixels(train), LinearProbe.Examples.pixels(test)),
                PROBE.fit(LinearProbe.Examples.pixels(train), LinearProbe.Examples.pixels(test)));
    }

    @Test
    void refusesWhatItCannotFit() {
        LinearProbe.Examples constant = new LinearProbe.Examples(new float[][] {{1, 1}, {1, 1}}, new int[] {0, 1});
        assertThrows(IllegalArgumentException.class, () -> PROBE.fit(constant, constant));
        LinearProbe.Examples two = new LinearProbe.Examples(new float[][] {{1, 2}, {3, 4}}, new int[] {0, 1});
        LinearProbe.Examples three = new LinearProbe.Examples(new float[][] {{1, 2, 3}}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> PROBE.fit(two, three));
        assertThrows(IllegalArgumentException.class, () -> new LinearProbe(0));
    }
}
