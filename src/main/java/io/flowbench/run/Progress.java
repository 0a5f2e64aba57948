package io.flowbench.run;

import java.io.PrintStream;

/**
 * One status line per run: step, images/s, current bits/dim and time left. Redrawn in place on a
 * terminal; on a log (CI) one line every {@code quietEvery} updates, so logs stay short.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final int quietEvery;
    private int updates;

    Progress(PrintStream out, boolean terminal, int quietEvery) {
        this.out = out;
        this.terminal = terminal;
        this.quietEvery = quietEvery;
    }

    public static Progress forConsole() {
        return new Progress(System.out, System.console() != null && System.getenv("CI") == null, 10);
    }

    void update(String run, long step, long totalSteps, double imagesPerSecond, double bitsPerDim, double secondsLeft) {
        String line = String.format("%s  step %d%s  %.1f img/s  train %.4f bits/dim  %s left",
                run, step, totalSteps > 0 ? "/" + totalSteps : "", imagesPerSecond, bitsPerDim, duration(secondsLeft));
        if (terminal) {
            out.print("\r" + line + "   ");
            out.flush();
        } else if (updates++ % quietEvery == 0) {
            out.println(line);
        }
    }

    public void message(String line) {
        if (terminal) {
            out.print("\r");
        }
        out.println(line);
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
