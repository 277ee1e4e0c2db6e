package io.dendrite.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.model.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged application, submitted through the real launcher ({@code deploy/bin/dendrite-submit}, which
 * runs {@code SparkSubmit}), on a standalone cluster of a master and two worker JVMs on loopback that
 * {@code deploy/bin/dendrite-cluster} starts here and stops whatever happens. Each run trains the bundled
 * digits job (two partitions) and is compared bit for bit with the same job on {@code local[2]}. The
 * worker kills run last, on a cluster started again for them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CLUSTER_SCRIPT = ROOT.resolve("deploy/bin/dendrite-cluster");
    private static final Path SUBMIT = ROOT.resolve("deploy/bin/dendrite-submit");
    private static final long RUN_SECONDS = 240;
    private static final String FASHION = "/usr/share/datasets/fashion-mnist";

    private static Path dir;
    private static String master;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("dendrite-cluster-test");
        Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterTest::stopCluster));
        long started = System.nanoTime();
        Result r = run(List.of("bash", CLUSTER_SCRIPT.toString(), "start", "2", "--cores", "1", "--memory", "1g",
                "--dir", dir.resolve("cluster").toString()), dir.resolve("cluster-start.log"), 120);
        assertEquals(0, r.code, r.output);
        master = r.output.strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(master.startsWith("spark://127.0.0.1:"), r.output);
        report("cluster start (master + 2 workers)", started);
    }

    @AfterAll
    static void stopCluster() {
        if (dir == null) {
            return;
        }
        try {
            run(List.of("bash", CLUSTER_SCRIPT.toString(), "stop", "--dir", dir.resolve("cluster").toString()),
                    dir.resolve("cluster-stop.log"), 60);
        } catch (Exception e) {
            throw new IllegalStateException("stopping the test cluster failed; see " + dir, e);
        }
    }

    private record Result(int code, String output) {
    }

    private static Result run(List<String> command, Path log, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within " + seconds + " s; see " + log);
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * The launcher's command for the digits job on {@code on}, writing under {@code output}; on the test cluster
     * through {@code --cluster DIR}, which gives the launcher its master URL and the secret start generated.
     */
    private static List<String> train(String on, Path output, String... overrides) {
        List<String> target = on.equals(master) ? List.of("--cluster", dir.resolve("cluster").toString())
                : List.of("--master", on);
        List<String> c = new ArrayList<>(List.of("bash", SUBMIT.toString(), target.get(0), target.get(1), "train",
                "--output", output.toString(), "output.chart=false", "data.train.partitions=2"));
        c.addAll(List.of(overrides));
        return c;
    }

    private static float[] weights(Path output) throws IOException {
        return ModelFiles.load(output.resolve("model")).parameters();
    }

    private static void report(String what, long startedNanos) {
        System.out.printf(Locale.ROOT, "StandaloneClusterTest: %s: %.1f s%n", what, (System.nanoTime() - startedNanos) / 1e9);
    }

    @Test
    @Order(0)
    void bothStepModesGiveLocalModesBitsOnTheCluster() throws Exception {
        for (String mode : List.of("barrier", "job")) {
            String[] job = {"training.mode=" + mode, "training.epochs=3"};
            long started = System.nanoTime();
            Path onCluster = dir.resolve("cluster-" + mode);
            Result c = run(train(master, onCluster, job), dir.resolve("cluster-" + mode + ".log"), RUN_SECONDS);
            assertEquals(0, c.code, c.output);
            report(mode + " mode on the cluster", started);
            started = System.nanoTime();
            Path local = dir.resolve("local-" + mode);
            Result l = run(train("local[2]", local, job), dir.resolve("local-" + mode + ".log"), RUN_SECONDS);
            assertEquals(0, l.code, l.output);
            report(mode + " mode on local[2]", started);
            assertArrayEquals(weights(local), weights(onCluster), mode + " mode: cluster and local[2] weights");
        }
        // Every executor ran the vector kernel: the launcher gave it the Vector API module.
        List<String> kernelLines = new ArrayList<>();
        try (var files = Files.walk(dir.resolve("cluster/work"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                Files.readAllLines(f).stream().filter(l -> l.contains("Dendrite kernel:")).forEach(kernelLines::add);
            }
        }
        assertTrue(!kernelLines.isEmpty() && kernelLines.stream().allMatch(l -> l.contains("Dendrite kernel: vector-")),
                kernelLines.toString());
    }

    /** Job settings for the first 6,000 training and 1,000 test rows of Fashion-MNIST (files made once). */
    private static String[] fashionSlice() throws IOException {
        Path slice = Files.createDirectories(dir.resolve("fashion-slice"));
        return new String[] {
            "data.train.path=" + idxSlice("train-images-idx3-ubyte.gz", 6000, slice.resolve("train-images.gz")),
            "data.train.labels=" + idxSlice("train-labels-idx1-ubyte.gz", 6000, slice.resolve("train-labels.gz")),
            "data.test.path=" + idxSlice("t10k-images-idx3-ubyte.gz", 1000, slice.resolve("test-images.gz")),
            "data.test.labels=" + idxSlice("t10k-labels-idx1-ubyte.gz", 1000, slice.resolve("test-labels.gz"))};
    }

    /** The Fashion-MNIST job on the slice, on {@code on}, writing under {@code output}. */
    private static List<String> trainFashionSlice(String on, Path output, String... overrides) throws IOException {
        List<String> c = train(on, output, overrides);
        c.addAll(5, List.of("--job", ROOT.resolve("conf/fashion-mnist.yaml").toString())); // after "train"
        c.addAll(List.of(fashionSlice()));
        return c;
    }

    /** The first {@code n} records of an IDX file (images or labels), gzip-compressed, as a new file. */
    private static String idxSlice(String file, int n, Path to) throws IOException {
        try (var in = new java.io.DataInputStream(new java.util.zip.GZIPInputStream(
                Files.newInputStream(Path.of(FASHION, file))));
             var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(to)))) {
            int magic = in.readInt();
            int dims = magic & 0xff;
            in.readInt();
            out.writeInt(magic);
            out.writeInt(n);
            int record = 1;
            for (int d = 1; d < dims; d++) {
                int size = in.readInt();
                out.writeInt(size);
                record *= size;
            }
            out.write(in.readNBytes(n * record));
        }
        return to.toUri().toString();
    }

    @Test
    @Order(1)
    void aFashionMnistSliceGivesLocalModesBitsInBothStepModes() throws Exception {
        String[] data = fashionSlice();
        for (String mode : List.of("barrier", "job")) {
            List<float[]> both = new ArrayList<>();
            for (String on : List.of(master, "local[2]")) {
                Path output = dir.resolve("fashion-" + mode + (on.equals(master) ? "-cluster" : "-local"));
                List<String> c = trainFashionSlice(on, output, "training.mode=" + mode, "training.epochs=2");
                long started = System.nanoTime();
                Result r = run(c, Path.of(output + ".log"), RUN_SECONDS);
                assertEquals(0, r.code, r.output);
                report("Fashion-MNIST slice, " + mode + " mode on " + on, started);
                both.add(weights(output));
            }
            assertArrayEquals(both.get(1), both.get(0), mode + " mode: cluster and local[2] weights");
        }
    }

    @Test
    @Order(2)
    void anExecutorKilledMidEpochIsReplacedAndTheWeightsAreUndisturbed() throws Exception {
        for (String mode : List.of("job", "barrier", "elastic")) {
            String[] job = {"training.mode=" + mode, "training.epochs=10", "training.early_stopping.patience=100"};
            Path output = dir.resolve("killed-" + mode);
            Path log = dir.resolve("killed-" + mode + ".log");
            Path eventLogs = Files.createDirectories(dir.resolve("killed-" + mode + "-events"));
            List<String> command = train(master, output, job);
            // One plain file of JSON lines on either Spark (Spark 4 rolls and compresses event logs by default).
            command.addAll(2, List.of("--conf", "spark.eventLog.enabled=true", "--conf",
                    "spark.eventLog.dir=" + eventLogs.toUri(), "--conf", "spark.eventLog.rolling.enabled=false",
                    "--conf", "spark.eventLog.compress=false")); // after the launcher
            int launchedBefore = launches();
            long started = System.nanoTime();
            Process p = startAndAwait(command, log, "Epoch 2/10");
            try {
                List<ProcessHandle> executors = executors();
                assertEquals(2, executors.size(), "one executor per worker: " + executors);
                ProcessHandle victim = executors.get(0);
                assertTrue(victim.destroyForcibly(), "kill -9 " + victim.pid());
                long killed = System.nanoTime();
                assertTrue(p.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "the run ends; see " + log);
                report(mode + " mode from kill -9 of executor " + victim.pid() + " to the end of the run", killed);
                report(mode + " mode run with an executor killed", started);
                assertEquals(0, p.exitValue(), Files.readString(log));
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            assertEquals(3, launches() - launchedBefore, "two executors and the replacement for the killed one");
            if (mode.equals("job")) {
                assertTheReplacementTakesItsShare(eventLogs, log);
            }
            if (mode.equals("elastic")) {
                // Each of the two tasks owns one shard: the kill costs at most that shard of the step in flight.
                long recomputed = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(output.resolve("summary.json").toFile()).path("recomputed_shard_steps").asLong(-1);
                System.out.printf(Locale.ROOT, "StandaloneClusterTest: elastic mode recomputed %d shard-step(s) after "
                        + "the kill; driver: %s%n", recomputed, Files.readAllLines(log).stream()
                        .filter(l -> l.contains("recomputed")).findFirst().orElse("(no step was in flight)"));
                assertTrue(recomputed >= 0 && recomputed <= 1, "recomputed " + recomputed + " shard-steps");
                assertEquals(0, Files.readAllLines(log).stream().filter(l -> l.matches(".*in stage \\d+\\.[1-9].*"))
                        .count(), "no stage was relaunched (a second attempt's task in the log)");
            }
            Path reference = dir.resolve("killed-reference-" + mode);
            Result r = run(train("local[2]", reference, job), dir.resolve("killed-reference-" + mode + ".log"),
                    RUN_SECONDS);
            assertEquals(0, r.code, r.output);
            assertArrayEquals(weights(reference), weights(output), mode + " mode: the weights equal an undisturbed run's");
        }
    }

    /**
     * In job mode the replacement executor ran about as many tasks as the survivor once it had joined (the
     * cached partitions were spread again), counted from Spark's event log of the run.
     */
    private static void assertTheReplacementTakesItsShare(Path eventLogs, Path driverLog) throws IOException {
        Path eventLog;
        try (var files = Files.list(eventLogs)) {
            eventLog = files.collect(java.util.stream.Collectors.toList()).get(0);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long joined = Long.MAX_VALUE;
        String replacement = null;
        java.util.Map<String, List<Long>> launches = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(eventLog)) {
            var event = json.readTree(line);
            String type = event.path("Event").asText();
            if (type.equals("SparkListenerExecutorAdded")) {
                replacement = event.path("Executor ID").asText(); // the last one to join
                joined = event.path("Timestamp").asLong();
            } else if (type.equals("SparkListenerTaskEnd")) {
                var task = event.path("Task Info");
                launches.computeIfAbsent(task.path("Executor ID").asText(), e -> new ArrayList<>())
                        .add(task.path("Launch Time").asLong());
            }
        }
        long after = joined;
        String added = replacement;
        long byReplacement = launches.getOrDefault(replacement, List.of()).size();
        long bySurvivor = launches.entrySet().stream().filter(e -> !e.getKey().equals(added))
                .mapToLong(e -> e.getValue().stream().filter(t -> t > after).count()).sum();
        String moved = Files.readAllLines(driverLog).stream().filter(l -> l.contains("moved cached partitions"))
                .findFirst().orElse("(no line)");
        System.out.printf(Locale.ROOT, "StandaloneClusterTest: job mode after executor %s joined: it ran %d tasks, "
                + "the survivor %d; driver: %s%n", replacement, byReplacement, bySurvivor, moved);
        assertTrue(byReplacement * 3 >= bySurvivor && byReplacement > 0, "after executor " + replacement + " joined "
                + "it ran " + byReplacement + " tasks and the survivor " + bySurvivor + "; driver: " + moved);
    }

    /** Starts the launcher on {@code command} and waits until its output shows {@code text}. */
    private static Process startAndAwait(List<String> command, Path log, String text) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains(text) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive() && Files.readString(log).contains(text), Files.readString(log));
        return p;
    }

    @Test
    @Order(4)
    void elasticModeRunsWithDynamicAllocationWhileExecutorsLeaveAndJoin() throws Exception {
        String[] job = {"training.mode=elastic", "training.epochs=10", "training.early_stopping.patience=100"};
        Path output = dir.resolve("dynamic");
        Path log = dir.resolve("dynamic.log");
        List<String> command = train(master, output, job);
        command.addAll(2, List.of("--conf", "spark.dynamicAllocation.enabled=true",
                "--conf", "spark.dynamicAllocation.shuffleTracking.enabled=true",
                "--conf", "spark.dynamicAllocation.initialExecutors=1", "--conf", "spark.dynamicAllocation.minExecutors=1",
                "--conf", "spark.dynamicAllocation.maxExecutors=2", "--conf", "spark.executor.cores=1",
                "--conf", "spark.dynamicAllocation.schedulerBacklogTimeout=1s"));
        int launchedBefore = launches();
        long started = System.nanoTime();
        // One executor first: the task without a slot has its shard computed by the other until Spark, asked by
        // that pending task, adds a second executor.
        Process p = startAndAwait(command, log, "Epoch 3/10");
        try {
            List<ProcessHandle> executors = executors();
            assertEquals(2, executors.size(), "dynamic allocation added the second executor: " + executors);
            assertTrue(executors.get(0).destroyForcibly(), "kill -9 " + executors.get(0).pid());
            assertTrue(p.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "the run ends; see " + log);
            assertEquals(0, p.exitValue(), Files.readString(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        report("elastic mode with dynamic allocation, an executor killed mid-run", started);
        // The first executor, the one dynamic allocation added, and the one that replaced the killed one.
        int launched = launches() - launchedBefore;
        long left = Files.readAllLines(log).stream().filter(l -> l.contains("elastic mode: executor")
                && l.contains("left")).count();
        System.out.printf(Locale.ROOT, "StandaloneClusterTest: dynamic allocation: %d executors launched, %d left%n",
                launched, left);
        assertTrue(launched >= 3 && left >= 1, "executors launched " + launched + ", left " + left);
        Path reference = dir.resolve("dynamic-reference");
        Result r = run(train("local[2]", reference, job), dir.resolve("dynamic-reference.log"), RUN_SECONDS);
        assertEquals(0, r.code, r.output);
        assertArrayEquals(weights(reference), weights(output), "the weights equal a fixed local[2] run's");
    }

    @Test
    @Order(3)
    void theDriverKilledMidRunResumesOnTheSameClusterToTheSameWeights() throws Exception {
        Path output = dir.resolve("driver-killed");
        String checkpoints = dir.resolve("driver-killed-checkpoints").toString();
        String[] job = {"training.mode=barrier", "training.epochs=8", "training.early_stopping.patience=100"};
        List<String> withCheckpoints = train(master, output, job);
        withCheckpoints.addAll(List.of("training.checkpoint.dir=" + checkpoints, "training.checkpoint.every_steps=10"));
        Process driver = startAndAwait(withCheckpoints, dir.resolve("driver-killed.log"), "Epoch 3/8");
        try {
            // The launcher execs the JVM that runs SparkSubmit and the driver: this is the driver's pid.
            assertTrue(driver.info().command().orElse("").endsWith("java"), driver.info().toString());
            driver.destroyForcibly();
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        } finally {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        long killed = System.nanoTime();
        List<String> resume = new ArrayList<>(withCheckpoints);
        resume.addAll(5, List.of("--resume", checkpoints)); // after "train"
        Result r = run(resume, dir.resolve("driver-resumed.log"), RUN_SECONDS);
        assertEquals(0, r.code, r.output);
        report("barrier mode from kill -9 of the driver to the end of the resumed run", killed);
        assertTrue(r.output.contains("Epoch 8/8"), r.output);
        Path reference = dir.resolve("driver-reference");
        Result u = run(train("local[2]", reference, job), dir.resolve("driver-reference.log"), RUN_SECONDS);
        assertEquals(0, u.code, u.output);
        assertArrayEquals(weights(reference), weights(output), "the resumed run's weights equal an uninterrupted run's");
        assertEquals(8, Files.readAllLines(output.resolve("metrics.jsonl")).size(), "metrics.jsonl keeps every epoch");
    }

    @Test
    @Order(9)
    void aWorkerKilledForGoodLeavesJobModeToFinishOnTheOther() throws Exception {
        String[] job = {"training.mode=job", "training.epochs=8", "training.early_stopping.patience=100"};
        Path output = dir.resolve("worker-killed");
        Process p = startAndAwait(train(master, output, job), dir.resolve("worker-killed.log"), "Epoch 2/8");
        long killed;
        try {
            killed = killWorkerForGood(2);
            assertTrue(p.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("worker-killed.log")));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        report("job mode from kill -9 of a worker and its executor to the end of the run", killed);
        Path reference = dir.resolve("worker-reference");
        Result u = run(train("local[2]", reference, job), dir.resolve("worker-reference.log"), RUN_SECONDS);
        assertEquals(0, u.code, u.output);
        assertArrayEquals(weights(reference), weights(output), "the weights equal an undisturbed run's");
    }

    @Test
    @Order(10)
    void aWorkerLostForGoodLeavesBarrierModeToFinishOnTheOtherAndLosingBothFailsInOneLine() throws Exception {
        stopCluster();
        startCluster(); // two workers again: the job-mode test left one
        // The Fashion-MNIST slice in batches of 4: an epoch of 1,500 steps of the 784-256-256-10 network takes
        // seconds, so a kill 400 ms after epoch 2 lands inside epoch 3's stage.
        String[] job = {"training.mode=barrier", "training.epochs=4", "training.batch_size=4"};
        Path output = dir.resolve("barrier-worker-killed");
        Path log = dir.resolve("barrier-worker-killed.log");
        Process p = startAndAwait(trainFashionSlice(master, output, job), log, "Epoch 2/4");
        long killed;
        try {
            Thread.sleep(400);
            killed = killWorkerForGood(2);
            assertTrue(p.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "the run ends; see " + log);
            assertEquals(0, p.exitValue(), Files.readString(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        report("barrier mode from kill -9 of a worker to the end of the run on the other", killed);
        // Mid-stage the stage restarts over the slot left; should the steps have ended first, the stage's job,
        // which Spark would rerun for the lost task's output, is cancelled. Either way the run goes on.
        String recovered = Files.readAllLines(log).stream()
                .filter(l -> l.contains("continuing at step") || l.contains("cancelled it")).findFirst().orElse(null);
        assertTrue(recovered != null, "the stage restarts over the slot left: " + Files.readString(log));
        System.out.println("StandaloneClusterTest: " + recovered);
        Path reference = dir.resolve("barrier-worker-reference");
        Result u = run(trainFashionSlice("local[2]", reference, job), dir.resolve("barrier-worker-reference.log"),
                RUN_SECONDS);
        assertEquals(0, u.code, u.output);
        assertArrayEquals(weights(reference), weights(output), "the weights equal an undisturbed run's");

        // With the last worker gone too there is no slot left: one line, once the slots wait (10 s here) is over.
        // The loss comes at the moment that once hung the run: after epoch 3's barrier stage has started, its
        // tasks running and stepping (the driver says so once per stage), so Spark will not resubmit it.
        Path lastLog = dir.resolve("barrier-last-worker-killed.log");
        String[] lastJob = java.util.stream.Stream.concat(java.util.Arrays.stream(job),
                java.util.stream.Stream.of("training.parameter_server.slots_timeout_s=10")).toArray(String[]::new);
        Process last = startAndAwait(trainFashionSlice(master, dir.resolve("barrier-last-worker-killed"), lastJob),
                lastLog, "of epoch 3 is stepping");
        try {
            killed = killWorkerForGood(1);
            assertTrue(last.waitFor(180, TimeUnit.SECONDS), "the run ends within a bounded time; see " + lastLog);
        } finally {
            last.descendants().forEach(ProcessHandle::destroyForcibly);
            last.destroyForcibly();
        }
        report("barrier mode from kill -9 of the last worker to the run's one-line failure", killed);
        String out = Files.readString(lastLog);
        assertEquals(2, last.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("dendrite: ")).toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.get(0).startsWith("dendrite: training.mode: barrier lost task slots in epoch ")
                && lines.get(0).contains("lost: executor ") && lines.get(0).contains("use training.mode: job"),
                lines.get(0));
    }

    /** The pid of worker {@code w} (1-based), from the cluster script's pid file. */
    private static long workerPid(int w) throws IOException {
        // A pid file holds the pid, its start time and the cluster's directory.
        return Long.parseLong(Files.readString(dir.resolve("cluster/pids/worker-" + w + ".pid")).strip().split(" ")[0]);
    }

    /** {@code kill -9} of worker {@code w} and the executors it launched; returns when, in nanoseconds. */
    private static long killWorkerForGood(int w) throws IOException {
        ProcessHandle worker = ProcessHandle.of(workerPid(w)).orElseThrow();
        List<ProcessHandle> executors = worker.children().toList();
        worker.destroyForcibly();
        executors.forEach(ProcessHandle::destroyForcibly);
        return System.nanoTime();
    }

    /** How many executors the workers have been asked to launch so far. */
    private static int launches() throws IOException {
        int n = 0;
        for (int w = 1; w <= 2; w++) {
            n += (int) Files.readAllLines(dir.resolve("cluster/logs/worker-" + w + ".log")).stream()
                    .filter(l -> l.contains("Asked to launch executor")).count();
        }
        return n;
    }

    /** The executor JVMs the workers launched and that still run (children of the worker JVMs). */
    private static List<ProcessHandle> executors() throws IOException {
        List<ProcessHandle> out = new ArrayList<>();
        for (int w = 1; w <= 2; w++) {
            ProcessHandle.of(workerPid(w)).ifPresent(worker -> worker.children()
                    .filter(c -> c.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .forEach(out::add));
        }
        return out;
    }
}
