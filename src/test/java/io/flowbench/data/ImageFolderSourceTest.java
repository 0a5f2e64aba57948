package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {

    @TempDir
    Path root;

    private final ImageFolderSource source = new ImageFolderSource();

    /** An RGB PNG whose pixel (x, y) is (r0 + x, g0 + y, b0 + x + y). */
    private static void rgbPng(Path file, int w, int h, int r0, int g0, int b0) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((r0 + x) & 0xff) << 16 | ((g0 + y) & 0xff) << 8 | ((b0 + x + y) & 0xff));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /** An 8-bit grey PNG whose pixel (x, y) is v0 + 10x + y. */
    private static void greyPng(Path file, int w, int h, int v0) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (v0 + 10 * x + y) & 0xff);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private DatasetSource.TrainTest load(DataOptions.Builder options) throws Exception {
        return source.load(source.find(root), options.build());
    }

    @Test
    void trainAndTestFoldersWithClassFoldersGiveLabelledSplits() throws Exception {
        rgbPng(root.resolve("train/cat/a.png"), 4, 3, 10, 20, 30);
        rgbPng(root.resolve("train/dog/b.png"), 4, 3, 40, 50, 60);
        rgbPng(root.resolve("train/cat/c.png"), 4, 3, 70, 80, 90);
        rgbPng(root.resolve("test/dog/d.png"), 4, 3, 100, 110, 120);

        DatasetSource.TrainTest tt = load(DataOptions.builder("image-folder"));

        assertEquals(3, tt.train().size());
        assertEquals(1, tt.test().size());
        assertEquals(List.of("cat", "dog"), tt.train().classNames());
        assertArrayEquals(new int[] {0, 0, 1}, tt.train().labels(), "files in sorted path order: cat/a, cat/c, dog/b");
        assertEquals(3, tt.train().channels());
        assertEquals(3, tt.train().height());
        assertEquals(4, tt.train().width());
        // cat/c.png pixel (x=2, y=1): r = 72, g = 81, b = 93
        assertEquals(72, tt.train().pixel(1, 0, 1, 2));
        assertEquals(81, tt.train().pixel(1, 1, 1, 2));
        assertEquals(93, tt.train().pixel(1, 2, 1, 2));
        assertEquals(1, tt.test().label(0));
    }

    @Test
    void greyImagesKeepTheirExactValuesAndOneChannel() throws Exception {
        for (int i = 0; i < 6; i++) {
            greyPng(root.resolve("train/img" + i + ".png"), 5, 5, 100 + i);
        }
        greyPng(root.resolve("test/t.png"), 5, 5, 7);

        DatasetSource.TrainTest tt = load(DataOptions.builder("image-folder"));

        assertEquals(1, tt.train().channels());
        assertEquals(0, tt.train().numClasses(), "no class folders: unlabeled");
        assertEquals(-1, tt.train().label(0));
        assertEquals(7 + 10 * 3 + 2, tt.test().pixel(0, 0, 2, 3), "Java's getRGB would have changed this grey value");

        DatasetSource.TrainTest rgb = load(DataOptions.builder("image-folder").channels(3));
        assertEquals(3, rgb.train().channels());
        assertEquals(tt.test().pixel(0, 0, 4, 4), rgb.test().pixel(0, 2, 4, 4));
    }

    @Test
    void withoutSplitFoldersTheTestSplitIsAStableHashOfThePath() throws Exception {
        for (int i = 0; i < 40; i++) {
            rgbPng(root.resolve("celeb/" + i + ".png"), 2, 2, i, i, i);
        }
        DatasetSource.TrainTest tt = load(DataOptions.builder("image-folder").testPercent(25));
        int expectedTest = 0;
        for (int i = 0; i < 40; i++) {
            expectedTest += ImageFolderSource.inTestSplit(Path.of("celeb/" + i + ".png"), 25) ? 1 : 0;
        }
        assertEquals(expectedTest, tt.test().size());
        assertEquals(40 - expectedTest, tt.train().size());
        assertTrue(expectedTest > 3 && expectedTest < 18, "about a quarter, got " + expectedTest);
        assertEquals(1, tt.train().numClasses(), "all images in one sub-folder: one class");
    }

    @Test
    void resizeAtDecodeAndSizeMismatchError() throws Exception {
        rgbPng(root.resolve("train/a.png"), 8, 8, 0, 0, 0);
        rgbPng(root.resolve("train/b.png"), 6, 4, 0, 0, 0);
        rgbPng(root.resolve("test/c.png"), 8, 8, 0, 0, 0);
        DataFormatException e = assertThrows(DataFormatException.class, () -> load(DataOptions.builder("image-folder")));
        assertTrue(e.getMessage().contains("b.png: image is 4x6, expected 8x8"), e.getMessage());

        DatasetSource.TrainTest tt = load(DataOptions.builder("image-folder").resize(4));
        assertEquals(4, tt.train().height());
        assertEquals(4, tt.test().width());
        // a.png red is 0+x: averaging 2x2 blocks gives (2x + 0.5) -> round(0.5)=1 at x=0, 3 at x=1 ...
        assertEquals(Math.round(0.5), tt.train().pixel(0, 0, 0, 0));
        assertEquals(Math.round(2.5), tt.train().pixel(0, 0, 3, 1));
    }

    @Test
    void unreadableImageIsNamed() throws Exception {
        rgbPng(root.resolve("train/a.png"), 2, 2, 0, 0, 0);
        Files.writeString(root.resolve("train/broken.png"), "not a png");
        rgbPng(root.resolve("test/c.png"), 2, 2, 0, 0, 0);
        DataFormatException e = assertThrows(DataFormatException.class, () -> load(DataOptions.builder("image-folder")));
        assertEquals(root.resolve("train/broken.png"), e.file());
    }

    @Test
    void emptyFolderOrEmptySplitIsAnError() throws Exception {
        assertTrue(!source.find(root).complete());
        rgbPng(root.resolve("train/a.png"), 2, 2, 0, 0, 0);
        Files.createDirectories(root.resolve("test"));
        assertTrue(assertThrows(DataFormatException.class, () -> load(DataOptions.builder("image-folder")))
                .getMessage().contains("no images for the test split"));
    }
}
