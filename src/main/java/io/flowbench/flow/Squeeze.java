package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Space-to-depth on 2x2 blocks: [C, H, W] -> [4C, H/2, W/2], output channel c*4 + 2*i + j holding
 * pixel (2h + i, 2w + j) of channel c (Glow's ordering). A permutation, so its log-det is zero.
 */
public final class Squeeze implements FlowLayer {
    private final SameDiff sd;
    private final int channels;
    private final int height;
    private final int width;

    /** Shape of the input (before squeezing). */
    public Squeeze(FlowGraph g, int channels, int height, int width) {
        if (height % 2 != 0 || width % 2 != 0) {
            throw new IllegalArgumentException("squeeze needs even height and width, got " + height + "x" + width);
        }
        this.sd = g.sd();
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        SDVariable blocks = sd.reshape(x, -1, channels, height / 2, 2, width / 2, 2);
        SDVariable moved = sd.permute(blocks, 0, 1, 3, 5, 2, 4);
        return new Transformed(sd.reshape(moved, -1, 4L * channels, height / 2, width / 2), null);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable blocks = sd.reshape(y, -1, channels, 2, 2, height / 2, width / 2);
        SDVariable moved = sd.permute(blocks, 0, 1, 4, 2, 5, 3);
        return new Transformed(sd.reshape(moved, -1, channels, height, width), null);
    }
}
