package io.flowbench.flow;

import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A layer's forward output together with the log-determinant of everything up to and including it,
 * split over the output's dimensions: {@code shares} has the output's shape [N, C, H, W] and sums,
 * per example, to the upstream log-det plus {@code out.logDet()} (see {@link FlowLayer#forwardTraced}).
 */
public record Traced(Transformed out, SDVariable shares) {

    public Traced {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(shares, "shares");
    }

    /** A per-example log-det [N] spread equally over the dimensions of {@code like} [N, C, H, W]. */
    public static SDVariable spreadEqually(SDVariable logDet, SDVariable like) {
        SameDiff sd = like.getSameDiff();
        SDVariable ones = sd.onesLike(like);
        SDVariable perDimension = logDet.div(ones.sum(1, 2, 3));
        return ones.mul(sd.reshape(perDimension, -1, 1, 1, 1));
    }

    /** A log-scale that broadcasts to {@code like} [N, C, H, W] (per channel, say) made explicit at that shape. */
    public static SDVariable broadcast(SDVariable logScale, SDVariable like) {
        return like.getSameDiff().zerosLike(like).add(logScale);
    }
}
