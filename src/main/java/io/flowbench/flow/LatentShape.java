package io.flowbench.flow;

/** Shape [channels, height, width] of one example's tensor at some point of a flow. */
public record LatentShape(int channels, int height, int width) {

    public long size() {
        return (long) channels * height * width;
    }

    public long pixels() {
        return (long) height * width;
    }

    /** The same spatial size with another channel count. */
    public LatentShape withChannels(int c) {
        return new LatentShape(c, height, width);
    }

    /** Shape with a leading batch dimension of unknown size (-1), for placeholders and reshapes. */
    public long[] batchShape() {
        return new long[] {-1, channels, height, width};
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
