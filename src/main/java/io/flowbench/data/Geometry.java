package io.flowbench.data;

/**
 * Makes image sides fit the model: an optional resize to a square side, then the check that height and
 * width are multiples of 2^levels (each level squeezes 2x2 blocks), zero-padding up to the next multiple
 * when asked. Padding is symmetric, the odd pixel (if any) going to the bottom/right.
 */
final class Geometry {

    private Geometry() {
    }

    /** Applies {@code resize} and the 2^levels rule of the options to a split. */
    static ImageDataset fit(ImageDataset d, DataOptions options) {
        ImageDataset out = d;
        int side = options.resize();
        if (side > 0 && (out.height() != side || out.width() != side)) {
            out = resizeAll(out, side);
        }
        int m = 1 << options.levels();
        int h = out.height();
        int w = out.width();
        if (h % m == 0 && w % m == 0) {
            return out;
        }
        int ph = (h + m - 1) / m * m;
        int pw = (w + m - 1) / m * m;
        if (options.pad() != Padding.ZERO) {
            throw new IllegalArgumentException(d.dataset() + " images are " + h + "x" + w + ", not multiples of 2^"
                    + options.levels() + " = " + m + " as " + options.levels() + " levels need; set pad = zero ("
                    + h + "x" + w + " -> " + ph + "x" + pw + ") or resize to a multiple of " + m);
        }
        return padAll(out, ph, pw);
    }

    private static ImageDataset padAll(ImageDataset d, int ph, int pw) {
        int c = d.channels();
        int h = d.height();
        int w = d.width();
        int top = (ph - h) / 2;
        int left = (pw - w) / 2;
        ImageDataset.Builder b = d.derive(c, ph, pw, "pad zero " + h + "x" + w + " -> " + ph + "x" + pw
                + " (top " + top + ", left " + left + ")");
        byte[] src = new byte[d.exampleLength()];
        byte[] dst = new byte[c * ph * pw];
        for (int i = 0; i < d.size(); i++) {
            d.copyExample(i, src, 0);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(src, (ch * h + y) * w, dst, (ch * ph + y + top) * pw + left, w);
                }
            }
            b.add(dst, 0, d.label(i));
        }
        return b.build();
    }

    private static ImageDataset resizeAll(ImageDataset d, int side) {
        int c = d.channels();
        ImageDataset.Builder b = d.derive(c, side, side, "resize " + d.height() + "x" + d.width() + " -> " + side + "x"
                + side + " (centre square crop, area average)");
        byte[] src = new byte[d.exampleLength()];
        for (int i = 0; i < d.size(); i++) {
            d.copyExample(i, src, 0);
            b.add(resize(src, c, d.height(), d.width(), side), 0, d.label(i));
        }
        return b.build();
    }

    /**
     * Resizes one NCHW image (bytes) to {@code side x side}: the largest centred square is cropped, then each
     * output pixel is the average of the input area it covers (exact for integer down-scaling, e.g. 256 -> 64;
     * nearest-like when up-scaling), rounded to the nearest integer.
     */
    static byte[] resize(byte[] src, int channels, int height, int width, int side) {
        int sq = Math.min(height, width);
        int top = (height - sq) / 2;
        int left = (width - sq) / 2;
        int[] first = new int[side];
        double[][] weights = areaWeights(sq, side, first);
        byte[] out = new byte[channels * side * side];
        double[] rows = new double[side * sq];
        for (int c = 0; c < channels; c++) {
            // vertical pass: rows[oy][x] over the cropped square's columns
            for (int oy = 0; oy < side; oy++) {
                double[] wy = weights[oy];
                for (int x = 0; x < sq; x++) {
                    double acc = 0;
                    for (int k = 0; k < wy.length; k++) {
                        acc += wy[k] * (src[(c * height + top + first[oy] + k) * width + left + x] & 0xff);
                    }
                    rows[oy * sq + x] = acc;
                }
            }
            // horizontal pass
            for (int oy = 0; oy < side; oy++) {
                for (int ox = 0; ox < side; ox++) {
                    double[] wx = weights[ox];
                    double acc = 0;
                    for (int k = 0; k < wx.length; k++) {
                        acc += wx[k] * rows[oy * sq + first[ox] + k];
                    }
                    out[(c * side + oy) * side + ox] = (byte) Math.min(255, Math.max(0, Math.round(acc)));
                }
            }
        }
        return out;
    }

    /** For each output index o, the weights of input indices first[o], first[o]+1, ... (summing to 1). */
    private static double[][] areaWeights(int in, int out, int[] firstIndex) {
        double scale = (double) in / out;
        double[][] w = new double[out][];
        for (int o = 0; o < out; o++) {
            double lo = o * scale;
            double hi = (o + 1) * scale;
            int first = (int) Math.floor(lo);
            firstIndex[o] = first;
            int last = Math.min(in - 1, (int) Math.ceil(hi) - 1);
            w[o] = new double[last - first + 1];
            for (int i = first; i <= last; i++) {
                w[o][i - first] = (Math.min(hi, i + 1) - Math.max(lo, i)) / scale;
            }
        }
        return w;
    }
}
