package io.flowbench.report;

import io.flowbench.reference.LikelihoodReference;
import io.flowbench.report.EvalPoint.Budget;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Learning curves as a PNG: periodic test bits/dim against images seen (or training time), one line per
 * variant (the mean over its seeds) in a band from the lowest to the highest seed.
 */
final class CurveChart {
    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(148, 103, 189),
        new Color(255, 127, 14), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127)};

    private CurveChart() {
    }

    /** The mean and the band of one variant's curves, one point per evaluation step. */
    record Band(double[] x, double[] mean, double[] low, double[] high) { }

    /**
     * Seeds are evaluated at the same steps, so they are aggregated step by step: x is the seeds' mean
     * position on the axis at that step (images seen agree; training times differ a little), the line the mean
     * test bits/dim and the band its lowest and highest seed. A step only some seeds reached (a run stopped
     * early) counts the seeds that have it.
     */
    static Band band(List<List<EvalPoint>> seeds, Budget axis) {
        TreeMap<Long, List<EvalPoint>> bySteps = new TreeMap<>();
        seeds.forEach(c -> c.forEach(p -> {
            if (Double.isFinite(p.at(axis)) && Double.isFinite(p.testBpd())) {
                bySteps.computeIfAbsent(p.step(), k -> new ArrayList<>()).add(p);
            }
        }));
        int n = bySteps.size();
        Band b = new Band(new double[n], new double[n], new double[n], new double[n]);
        int i = 0;
        for (List<EvalPoint> at : bySteps.values()) {
            b.x()[i] = at.stream().mapToDouble(p -> p.at(axis)).average().orElseThrow();
            b.mean()[i] = at.stream().mapToDouble(EvalPoint::testBpd).average().orElseThrow();
            b.low()[i] = at.stream().mapToDouble(EvalPoint::testBpd).min().orElseThrow();
            b.high()[i] = at.stream().mapToDouble(EvalPoint::testBpd).max().orElseThrow();
            i++;
        }
        return b;
    }

    /** The chart of every variant of {@code results} against {@code axis} (IMAGES or TIME), as PNG bytes. */
    static byte[] png(ExperimentResults results, Budget axis, double target, Optional<LikelihoodReference> reference) {
        boolean time = axis == Budget.TIME;
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(results.experiment() + ": test bits/dim (EMA weights)")
                .xAxisTitle(time ? "training time (minutes)" : "images seen").yAxisTitle("test bits/dim").build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setAntiAlias(true);
        chart.getStyler().setXAxisDecimalPattern(time ? "#,##0.#" : "#,##0");
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        double scale = time ? 1 / 60.0 : 1;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        List<String> variants = results.variants();
        for (int v = 0; v < variants.size(); v++) {
            String name = variants.get(v);
            List<RunResult> runs = results.runsOf(name);
            Band b = band(runs.stream().map(RunResult::curve).toList(), axis);
            if (b.x().length == 0) {
                continue;
            }
            double[] x = scaled(b.x(), scale);
            xMin = Math.min(xMin, x[0]);
            xMax = Math.max(xMax, x[x.length - 1]);
            for (int i = 0; i < x.length; i++) {
                yMin = Math.min(yMin, b.low()[i]);
                yMax = Math.max(yMax, b.high()[i]);
            }
            Color color = PALETTE[v % PALETTE.length];
            if (runs.size() > 1 && x.length > 1) {
                double[] px = new double[2 * x.length];
                double[] py = new double[2 * x.length];
                for (int i = 0; i < x.length; i++) {
                    px[i] = x[i];
                    py[i] = b.high()[i];
                    px[2 * x.length - 1 - i] = x[i];
                    py[2 * x.length - 1 - i] = b.low()[i];
                }
                XYSeries band = chart.addSeries(name + " (seed range)", px, py);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 55));
                band.setLineColor(new Color(0, 0, 0, 0));
                band.setMarker(SeriesMarkers.NONE);
                band.setShowInLegend(false);
            }
            XYSeries line = chart.addSeries(name + (runs.size() > 1 ? " (mean of " + runs.size() + " seeds)" : ""),
                    x, b.mean());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(color);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setMarkerColor(color);
            line.setLineWidth(2f);
        }
        if (Double.isFinite(target) && xMin < xMax) {
            XYSeries t = chart.addSeries(String.format("target %.4f", target), new double[] {xMin, xMax},
                    new double[] {target, target});
            t.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            t.setLineColor(Color.DARK_GRAY);
            t.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            t.setMarker(SeriesMarkers.NONE);
        }
        if (reference.isPresent() && xMin < xMax) {
            LikelihoodReference ref = reference.get();
            // A figure far outside the curves (a singular fit on a tiny split) would flatten them: the table has it.
            double margin = Math.max(1.0, yMax - yMin);
            for (Map.Entry<String, Double> line : List.of(Map.entry("linear flow", ref.linear().testBpd()),
                    Map.entry("affine flow", ref.affine().testBpd()))) {
                if (line.getValue() > yMin - margin && line.getValue() < yMax + margin) {
                    referenceLine(chart, String.format("%s, closed form %.4f", line.getKey(), line.getValue()),
                            line.getValue(), xMin, xMax);
                }
            }
        }
        if (!Double.isFinite(xMin)) {
            chart.addSeries("no evaluations yet", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the learning-curve chart", e);
        }
    }

    private static void referenceLine(XYChart chart, String name, double y, double xMin, double xMax) {
        XYSeries line = chart.addSeries(name, new double[] {xMin, xMax}, new double[] {y, y});
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setLineColor(Color.GRAY);
        line.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
        line.setMarker(SeriesMarkers.NONE);
    }

    private static double[] scaled(double[] x, double s) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * s;
        }
        return out;
    }
}
