package io.flowbench.report;

import java.util.Collection;
import java.util.Locale;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Summary of a small sample (one value per seed): size, mean, sample standard deviation (n - 1 in the
 * denominator; 0 for a single value), minimum and maximum. Non-finite values are left out.
 */
public record Stats(int n, double mean, double sd, double min, double max) {
    public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Stats of(Collection<Double> values) {
        DescriptiveStatistics d = new DescriptiveStatistics();
        values.stream().filter(Double::isFinite).forEach(d::addValue);
        if (d.getN() == 0) {
            return EMPTY;
        }
        return new Stats((int) d.getN(), d.getMean(), d.getStandardDeviation(), d.getMin(), d.getMax());
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
