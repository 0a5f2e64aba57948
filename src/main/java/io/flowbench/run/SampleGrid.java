package io.flowbench.run;

import io.flowbench.model.Dequantizer;
import java.awt.image.BufferedImage;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Draws a batch of images [N, C, H, W] in flow space as one grid (grey for C = 1, RGB for C = 3). */
public final class SampleGrid {
    private static final int GAP = 1;

    private SampleGrid() {
    }

    public static BufferedImage of(INDArray images, int nBits) {
        INDArray pixels = new Dequantizer(nBits).toPixels(images);
        int n = (int) pixels.size(0);
        int c = (int) pixels.size(1);
        int h = (int) pixels.size(2);
        int w = (int) pixels.size(3);
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("a sample grid needs 1 or 3 channels, got " + c);
        }
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        BufferedImage grid = new BufferedImage(cols * (w + GAP) + GAP, rows * (h + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
        float[] v = pixels.data().asFloat();
        for (int i = 0; i < n; i++) {
            int x0 = GAP + (i % cols) * (w + GAP);
            int y0 = GAP + (i / cols) * (h + GAP);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int base = ((i * c) * h + y) * w + x;
                    int r = (int) v[base];
                    int g = c == 3 ? (int) v[base + h * w] : r;
                    int b = c == 3 ? (int) v[base + 2 * h * w] : r;
                    grid.setRGB(x0 + x, y0 + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return grid;
    }
}
