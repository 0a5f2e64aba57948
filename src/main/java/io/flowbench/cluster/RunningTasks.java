package io.flowbench.cluster;

import java.time.Duration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * How many tasks of the application run now, as the driver's scheduler hears of them. A cancelled task goes on
 * until its function returns (a run ends at its next step, checkpointed and sent) and only then reports its end,
 * so this tells the driver when the runs it stopped are recorded.
 */
final class RunningTasks extends SparkListener implements AutoCloseable {
    private final SparkContext context;
    private int running;

    private RunningTasks(SparkContext context) {
        this.context = context;
    }

    /** Counts from now on. */
    static RunningTasks on(JavaSparkContext context) {
        RunningTasks tasks = new RunningTasks(context.sc());
        context.sc().addSparkListener(tasks);
        return tasks;
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart start) {
        running++;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        running--;
        notifyAll();
    }

    /** Waits until no task runs, at most {@code timeout}; whether none does. */
    synchronized boolean awaitNone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(left / 1_000_000 + 1);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        context.removeSparkListener(this);
    }
}
