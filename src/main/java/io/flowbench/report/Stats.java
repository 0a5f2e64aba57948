package io.flowbench.report;

import java.util.Collection;
import java.util.Locale;

/**
 * Summary of a small sample (one value per seed): size, mean, sample standard deviation (n - 1 in the
 * denominator; 0 for a single value), minimum and maximum. Non-finite values are left out.
 */
public record Stats(int n, double mean, double sd, double min, double max) {
    public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Stats of(Collection<Double> values) {
        double[] v = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return EMPTY;
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new Stats(v.length, mean, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0, min, max);
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** "mean ± sd" with {@code decimals} decimals; the mean alone for one value; "-" for none. */
    public String meanSd(int decimals) {
        if (n == 0) {
            return "-";
        }
        return n == 1 ? fixed(mean, decimals) : fixed(mean, decimals) + " ± " + fixed(sd, decimals);
    }

    /** "min–max"; the value alone for one value; "-" for none. */
    public String range(int decimals) {
        if (n == 0) {
            return "-";
        }
        return n == 1 ? fixed(min, decimals) : fixed(min, decimals) + "–" + fixed(max, decimals);
    }

    static String fixed(double x, int decimals) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%." + decimals + "f", x) : "-";
    }
}
