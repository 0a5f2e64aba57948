package io.flowbench.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.flowbench.data.ImageDataset;
import org.junit.jupiter.api.Test;

/** Which examples a probe uses: a fixed random draw, the whole split for 0, capped in feature values. */
class ProbeSettingsTest {
    @Test
    void drawsTheSameExamplesInSplitOrder() {
        ImageDataset split = SeparableImages.split("train", 200, 1, null);
        ProbeSettings settings = new ProbeSettings(true, 50, 0, 5);
        ImageDataset a = settings.trainExamples(split);
        ImageDataset b = settings.trainExamples(split);
        assertEquals(50, a.size());
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertSame(split, settings.testExamples(split), "0: the whole split");
        assertSame(split, new ProbeSettings(true, 500, 0, 5).trainExamples(split), "more than the split: all of it");
    }

    @Test
    void largeImagesAreCappedInFeatureValues() {
        int dims = 3 * 64 * 64;
        int n = ProbeSettings.MAX_VALUES / dims + 45;
        ImageDataset.Builder b = ImageDataset.builder("big", "test", 3, 64, 64).numClasses(2).expectedSize(n);
        byte[] image = new byte[dims];
        for (int i = 0; i < n; i++) {
            b.add(image, 0, i % 2);
        }
        assertEquals(ProbeSettings.MAX_VALUES / dims, new ProbeSettings(true, 10000, 0, 5).testExamples(b.build()).size());
    }
}
