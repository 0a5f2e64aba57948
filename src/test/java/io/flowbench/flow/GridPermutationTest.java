package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The three line-wise stages compose to the permutation they were made from, on square and oblong grids. */
class GridPermutationTest {

    /** Applies the stages to values v (row-major on the grid), as FactorOutMask's graph does. */
    private static double[] apply(GridPermutation p, double[] v) {
        int rows = p.rows();
        int columns = p.columns();
        double[] a = stage(v, rows, columns, p.withinRows(), true);
        double[] b = stage(a, rows, columns, p.withinColumns(), false);
        return stage(b, rows, columns, p.intoPlace(), true);
    }

    /** Along each row (or column) l, out[k] = sum_i in[i] * m[l, i, k]. */
    private static double[] stage(double[] v, int rows, int columns, INDArray m, boolean alongRows) {
        double[] out = new double[v.length];
        int lines = alongRows ? rows : columns;
        int length = alongRows ? columns : rows;
        for (int l = 0; l < lines; l++) {
            for (int k = 0; k < length; k++) {
                double sum = 0;
                for (int i = 0; i < length; i++) {
                    int from = alongRows ? l * columns + i : i * columns + l;
                    sum += v[from] * m.getDouble(l, i, k);
                }
                out[alongRows ? l * columns + k : k * columns + l] = sum;
            }
        }
        return out;
    }

    /** A random permutation of 0..d-1: the indices sorted by seeded random keys. */
    private static int[] shuffled(int d, long seed) {
        double[] key = new SplittableRandom(seed).doubles(d).toArray();
        return IntStream.range(0, d).boxed().sorted(Comparator.comparingDouble(i -> key[i])).mapToInt(i -> i).toArray();
    }

    @Test
    void theStagesComposeToThePermutation() {
        for (int d : new int[] {4, 12, 64, 784, 3072}) {
            for (long seed = 0; seed < 3; seed++) {
                int[] order = shuffled(d, seed * 31 + d);
                GridPermutation p = GridPermutation.of(order);
                assertEquals(d, p.rows() * p.columns());
                double[] v = new double[d];
                Arrays.setAll(v, i -> i);
                double[] expected = new double[d];
                Arrays.setAll(expected, j -> order[j]);
                assertArrayEquals(expected, apply(p, v), 0.0, "D = " + d + ", seed " + seed);
            }
        }
    }

    @Test
    void theGridIsTheSquarestOne() {
        GridPermutation p = GridPermutation.of(shuffled(3072, 1));
        assertEquals(48, p.rows());
        assertEquals(64, p.columns());
        assertEquals(28, GridPermutation.of(shuffled(784, 1)).rows());
    }

    @Test
    void everyStageIsABatchOfPermutationMatrices() {
        GridPermutation p = GridPermutation.of(shuffled(96, 5));
        for (INDArray m : new INDArray[] {p.withinRows(), p.withinColumns(), p.intoPlace()}) {
            assertEquals(m.size(0) * m.size(1), m.sumNumber().longValue(), "one 1 per row of each matrix");
            assertEquals(1.0, m.sum(1).maxNumber().doubleValue(), 0.0, "one 1 per column of each matrix");
            assertEquals(1.0, m.sum(2).maxNumber().doubleValue(), 0.0, "one 1 per row of each matrix");
        }
    }

    @Test
    void aNonPermutationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GridPermutation.of(new int[] {0, 1, 1, 3}));
    }
}
