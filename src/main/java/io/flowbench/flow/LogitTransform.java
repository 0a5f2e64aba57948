package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Logit pre-processing (RealNVP; Residual Flows): the model's input x in [-0.5, 0.5) is moved to
 * x' = x + 0.5 in [0, 1), squeezed away from 0 and 1 as s = alpha + (1 - 2 alpha) x', and mapped to
 * y = logit(s) = log s - log(1 - s). Per dimension dy/dx = (1 - 2 alpha) / (s (1 - s)), so
 * log-det = D log(1 - 2 alpha) - sum(log s + log(1 - s)), D = C*H*W: it counts in bits/dim like
 * any other layer's.
 */
public final class LogitTransform implements FlowLayer {
    private final FlowGraph g;
    private final SameDiff sd;
    private final double alpha;
    private final double constantLogDet;

    /** @param alpha in (0, 0.5): how far s stays from 0 and 1 */
    public LogitTransform(FlowGraph g, LatentShape shape, double alpha) {
        checkAlpha(alpha);
        this.g = g;
        this.sd = g.sd();
        this.alpha = alpha;
        this.constantLogDet = shape.size() * Math.log1p(-2 * alpha);
    }

    /** Fails with the reason when alpha is outside (0, 0.5). */
    public static void checkAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("logit alpha must be in (0, 0.5), got " + alpha);
        }
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        return logit(x).out();
    }

    /** Each dimension's share is its own log dy/dx = log(1 - 2 alpha) - log s - log(1 - s). */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Logit l = logit(x);
        return new Traced(l.out(), shares.add(l.logSPlusLog1mS().rsub(Math.log1p(-2 * alpha))));
    }

    /** The forward direction and, per element, log s + log(1 - s). */
    private record Logit(Transformed out, SDVariable logSPlusLog1mS) { }

    private Logit logit(SDVariable x) {
        SDVariable s = x.add(0.5).mul(1 - 2 * alpha).add(alpha);
        SDVariable logS = sd.math().log(s);
        SDVariable log1mS = sd.math().log(s.rsub(1.0));
        SDVariable perElement = logS.add(log1mS);
        SDVariable logDet = perElement.sum(1, 2, 3).rsub(constantLogDet);
        return new Logit(new Transformed(logS.sub(log1mS), logDet), perElement);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        // log s = log sigmoid(y) and log(1 - s) = log sigmoid(-y), stable for large |y|.
        SDVariable logS = sd.nn().logSigmoid(y);
        SDVariable log1mS = sd.nn().logSigmoid(y.neg());
        SDVariable x = sd.nn().sigmoid(y).sub(alpha).div(1 - 2 * alpha).sub(0.5);
        return new Transformed(x, logS.add(log1mS).sum(1, 2, 3).sub(constantLogDet));
    }
}
