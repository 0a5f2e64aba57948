package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Space-to-depth on 2x2 blocks: [C, H, W] -> [4C, H/2, W/2], output channel c*4 + 2*i + j holding
 * pixel (2h + i, 2w + j) of channel c (Glow's ordering). A permutation, so its log-det is zero.
 */
public final class Squeeze implements FlowLayer {
    private final FlowGraph g;
    private final SameDiff sd;
    private final LatentShape input;

    public Squeeze(FlowGraph g, LatentShape input) {
        outputShape(input);
        this.g = g;
        this.sd = g.sd();
        this.input = input;
    }

    /** [C, H, W] -> [4C, H/2, W/2]; fails with the reason when H or W is odd. */
    public static LatentShape outputShape(LatentShape input) {
        if (input.height() % 2 != 0 || input.width() % 2 != 0) {
            throw new IllegalArgumentException("squeeze needs even height and width, got " + input.height() + "x" + input.width());
        }
        return new LatentShape(4 * input.channels(), input.height() / 2, input.width() / 2);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        return new Transformed(squeeze(x), g.zeroLogDet(x));
    }

    /** The shares move with their dimensions. */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        return new Traced(forward(x, condition), squeeze(shares));
    }

    private SDVariable squeeze(SDVariable x) {
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        SDVariable blocks = sd.reshape(x, -1, c, h / 2, 2, w / 2, 2);
        SDVariable moved = sd.permute(blocks, 0, 1, 3, 5, 2, 4);
        return sd.reshape(moved, -1, 4L * c, h / 2, w / 2);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        SDVariable blocks = sd.reshape(y, -1, c, 2, 2, h / 2, w / 2);
        SDVariable moved = sd.permute(blocks, 0, 1, 4, 2, 5, 3);
        return new Transformed(sd.reshape(moved, -1, c, h, w), g.zeroLogDet(y));
    }
}
