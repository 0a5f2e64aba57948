package io.flowbench.verify;

import java.util.function.UnaryOperator;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * log|det J| of a map R^D -> R^D at a point, from a central-difference Jacobian. Meant for double
 * precision: the error is O(h^2) from truncation plus O(eps/h) from rounding.
 */
public final class NumericalJacobian {
    private static final int CHUNK = 64;

    private NumericalJacobian() {
    }

    /**
     * @param f    maps a batch [B, ...] to flattened outputs [B, D]
     * @param x    one point, shape [1, ...] with D elements
     * @param step finite-difference step h
     */
    public static double logAbsDet(UnaryOperator<INDArray> f, INDArray x, double step) {
        RealMatrix jacobian = jacobian(f, x, step);
        if (jacobian.getRowDimension() != jacobian.getColumnDimension()) {
            throw new IllegalArgumentException("Jacobian is " + jacobian.getRowDimension() + "x"
                    + jacobian.getColumnDimension() + ", not square: the map changes dimension");
        }
        // Sum of log|U_ii| rather than log|det|: det over- or underflows for D in the hundreds.
        RealMatrix u = new LUDecomposition(jacobian, 0.0).getU();
        double sum = 0;
        for (int i = 0; i < u.getRowDimension(); i++) {
            sum += Math.log(Math.abs(u.getEntry(i, i)));
        }
        return sum;
    }

    /** The D_out x D Jacobian, columns by central differences, evaluated in chunks of perturbed points. */
    public static RealMatrix jacobian(UnaryOperator<INDArray> f, INDArray x, double step) {
        INDArray flat = x.castTo(DataType.DOUBLE).reshape(1, x.length());
        int d = Math.toIntExact(x.length());
        long[] shape = x.shape().clone();
        RealMatrix jacobian = null;
        for (int start = 0; start < d; start += CHUNK) {
            int count = Math.min(CHUNK, d - start);
            INDArray batch = Nd4j.repeat(flat, 2 * count).reshape(2L * count, d).dup();
            for (int k = 0; k < count; k++) {
                batch.putScalar(2L * k, start + k, batch.getDouble(2L * k, start + k) + step);
                batch.putScalar(2L * k + 1, start + k, batch.getDouble(2L * k + 1, start + k) - step);
            }
            shape[0] = 2L * count;
            INDArray out = f.apply(batch.reshape(shape).castTo(x.dataType())).castTo(DataType.DOUBLE);
            int dOut = Math.toIntExact(out.size(1));
            if (jacobian == null) {
                jacobian = MatrixUtils.createRealMatrix(dOut, d);
            }
            for (int k = 0; k < count; k++) {
                INDArray column = out.getRow(2L * k).sub(out.getRow(2L * k + 1)).div(2 * step);
                for (int r = 0; r < dOut; r++) {
                    jacobian.setEntry(r, start + k, column.getDouble(r));
                }
            }
        }
        return jacobian;
    }
}
