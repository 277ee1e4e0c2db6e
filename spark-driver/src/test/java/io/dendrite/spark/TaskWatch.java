package io.dendrite.spark;

import io.dendrite.core.run.EpochReport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/** For tests: the running tasks (to kill one), the jobs started and the stages relaunched. */
final class TaskWatch extends SparkListener {
    final Map<Long, Integer> running = new ConcurrentHashMap<>();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger jobs = new AtomicInteger();
    /** Task attempts after the first (a task relaunched on its own, outside a stage retry). */
    final AtomicInteger taskRetries = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        jobs.incrementAndGet();
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
        running.put(start.taskInfo().taskId(), start.stageAttemptId());
        if (start.taskInfo().attemptNumber() > 0) {
            taskRetries.incrementAndGet();
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        if (submitted.stageInfo().attemptNumber() > 0) {
            retries.incrementAndGet();
        }
    }

    /** A training listener that kills one running task (Spark relaunches it) when step {@code step} ends. */
    EpochReport.Listener killingAt(org.apache.spark.SparkContext sc, long step, AtomicInteger killed, String by) {
        return new EpochReport.Listener() {
            @Override
            public void onEpochEnd(EpochReport report) {
            }

            @Override
            public void onStepEnd(long ended) {
                if (ended == step) {
                    sc.killTaskAttempt(anyRunning(), true, "killed by " + by + " at step " + step);
                    killed.incrementAndGet();
                }
            }
        };
    }

    /** The id of a running task, waiting up to five seconds for one to start. */
    long anyRunning() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (running.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return running.keySet().iterator().next();
    }
}
