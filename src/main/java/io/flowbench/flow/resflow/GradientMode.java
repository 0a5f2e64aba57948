package io.flowbench.flow.resflow;

/** How training differentiates the log-det estimate (its value is the same power-series estimate). */
public enum GradientMode {
    /** Backpropagate through every term of the series: memory grows with the number of terms. */
    BACKPROP_SERIES,
    /**
     * The Neumann-series estimator of the gradient: a surrogate v^T J(x) sg(u) whose gradient is
     * unbiased for that of log det(I + J); backpropagation stores one Jacobian-vector product.
     */
    NEUMANN
}
