package io.flowbench.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A permutation of D elements written as three that each move elements only along one line of a
 * rows x columns grid (D = rows * columns, row-major): within every row, then within every column,
 * then within every row again. Every permutation can be so written: with the source rows and target
 * rows as the two sides of a bipartite multigraph and each element an edge, the graph is
 * columns-regular, so (König) its edges split into {@code columns} perfect matchings; the matching an
 * element is in is the column it travels along. Each stage is a batch of small permutation matrices
 * (one per row or column), so the three hold 2 rows columns^2 + columns rows^2 entries, about
 * 3 D^1.5 for a square grid, where one D x D matrix holds D^2; applying them costs the same ratio.
 */
public record GridPermutation(int rows, int columns, INDArray withinRows, INDArray withinColumns,
                              INDArray intoPlace) {

    /**
     * @param order output element j is input element order[j] (a permutation of 0..D-1)
     * @return the decomposition on the squarest grid: rows the largest divisor of D not above sqrt(D)
     */
    public static GridPermutation of(int[] order) {
        int rows = rowsFor(order.length);
        return of(order, rows, order.length / rows);
    }

    /** The grid's row count for D elements: the largest divisor of D not above sqrt(D). */
    public static int rowsFor(long d) {
        int rows = 1;
        for (int r = 1; (long) r * r <= d; r++) {
            if (d % r == 0) {
                rows = r;
            }
        }
        return rows;
    }

    /**
     * FLOPs of applying the permutation to one example of D elements: three batched products, each
     * element meeting a row of a columns (rows, columns) long matrix.
     */
    public static void countFlops(Flops flops, long d) {
        long rows = rowsFor(d);
        long columns = d / rows;
        flops.perImage("factor-out mask", 2.0 * d * (2 * columns + rows));
    }

    static GridPermutation of(int[] order, int rows, int columns) {
        int[] column = travelColumns(order, rows, columns);
        INDArray first = Nd4j.zeros(DataType.DOUBLE, rows, columns, columns);
        INDArray second = Nd4j.zeros(DataType.DOUBLE, columns, rows, rows);
        INDArray third = Nd4j.zeros(DataType.DOUBLE, rows, columns, columns);
        for (int target = 0; target < order.length; target++) {
            int source = order[target];
            int k = column[target];
            first.putScalar(new int[] {source / columns, source % columns, k}, 1.0);
            second.putScalar(new int[] {k, source / columns, target / columns}, 1.0);
            third.putScalar(new int[] {target / columns, k, target % columns}, 1.0);
        }
        return new GridPermutation(rows, columns, first, second, third);
    }

    /**
     * Per output element, the column it travels along from its source row to its target row, such
     * that the elements of one source row, and those of one target row, all travel along different
     * columns: a proper edge colouring of the row multigraph, one perfect matching per column.
     */
    private static int[] travelColumns(int[] order, int rows, int columns) {
        if ((long) rows * columns != order.length) {
            throw new IllegalArgumentException(rows + " x " + columns + " grid for " + order.length + " elements");
        }
        List<List<ArrayDeque<Integer>>> edges = new ArrayList<>();
        int[][] count = new int[rows][rows];
        for (int r = 0; r < rows; r++) {
            List<ArrayDeque<Integer>> row = new ArrayList<>();
            for (int t = 0; t < rows; t++) {
                row.add(new ArrayDeque<>());
            }
            edges.add(row);
        }
        boolean[] seen = new boolean[order.length];
        for (int target = 0; target < order.length; target++) {
            int source = order[target];
            if (source < 0 || source >= order.length || seen[source]) {
                throw new IllegalArgumentException("not a permutation: element " + source + " at position " + target);
            }
            seen[source] = true;
            edges.get(source / columns).get(target / columns).add(target);
            count[source / columns][target / columns]++;
        }
        int[] column = new int[order.length];
        for (int k = 0; k < columns; k++) {
            int[] matchOfTarget = perfectMatching(count);
            for (int t = 0; t < rows; t++) {
                int s = matchOfTarget[t];
                count[s][t]--;
                column[edges.get(s).get(t).poll()] = k;
            }
        }
        return column;
    }

    /**
     * A perfect matching of a regular bipartite multigraph given by its edge counts (rows to rows), by
     * augmenting paths; per target row, its source row. Regularity guarantees one exists (Hall).
     */
    private static int[] perfectMatching(int[][] count) {
        int n = count.length;
        int[] matchOfTarget = new int[n];
        Arrays.fill(matchOfTarget, -1);
        for (int s = 0; s < n; s++) {
            if (!augment(s, count, matchOfTarget, new boolean[n])) {
                throw new IllegalStateException("no perfect matching: the row multigraph is not regular");
            }
        }
        return matchOfTarget;
    }

    private static boolean augment(int s, int[][] count, int[] matchOfTarget, boolean[] visited) {
        for (int t = 0; t < count.length; t++) {
            if (count[s][t] > 0 && !visited[t]) {
                visited[t] = true;
                if (matchOfTarget[t] < 0 || augment(matchOfTarget[t], count, matchOfTarget, visited)) {
                    matchOfTarget[t] = s;
                    return true;
                }
            }
        }
        return false;
    }
}
