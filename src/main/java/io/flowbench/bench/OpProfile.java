package io.flowbench.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Per-op time of SameDiff executions: a listener that times each op from just before it runs to just
 * after, summed per op type. What the ops do not account for of a call's wall time is SameDiff's own
 * work around them (scheduling, dependency tracking, array allocation).
 */
public final class OpProfile extends BaseListener {
    private final Map<String, long[]> byOp = new HashMap<>();
    private long started;
    private long totalOpNanos;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        started = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                            INDArray[] outputs) {
        long nanos = System.nanoTime() - started;
        long[] entry = byOp.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
        entry[0]++;
        entry[1] += nanos;
        totalOpNanos += nanos;
    }

    public void clear() {
        byOp.clear();
        totalOpNanos = 0;
    }

    /**
     * A table of op types by total time: calls and milliseconds per execution, and their share of the
     * executions' wall time; the last line is what the ops leave unexplained.
     */
    public String table(int executions, double wallSeconds, int top) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byOp.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        double wallMs = wallSeconds * 1e3 / executions;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-28s %10s %12s %7s%n",
                "op", "calls/exec", "ms/exec", "share"));
        long count = 0;
        for (Map.Entry<String, long[]> e : rows) {
            count += e.getValue()[0];
        }
        for (Map.Entry<String, long[]> e : rows.subList(0, Math.min(top, rows.size()))) {
            double ms = e.getValue()[1] / 1e6 / executions;
            out.append(String.format(Locale.ROOT, "%-28s %10.1f %12.2f %6.1f%%%n", e.getKey(),
                    e.getValue()[0] / (double) executions, ms, 100 * ms / wallMs));
        }
        double opsMs = totalOpNanos / 1e6 / executions;
        out.append(String.format(Locale.ROOT, "%-28s %10.1f %12.2f %6.1f%%%n", "(all ops)", count / (double) executions,
                opsMs, 100 * opsMs / wallMs));
        out.append(String.format(Locale.ROOT, "%-28s %10s %12.2f %6.1f%%%n", "(outside ops)", "", wallMs - opsMs,
                100 * (wallMs - opsMs) / wallMs));
        return out.toString();
    }
}
