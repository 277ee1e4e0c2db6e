package io.dendrite.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.run.Streams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The digits job through the real launcher ({@code SparkSubmit}, {@code --master yarn}) on Hadoop's
 * MiniYARNCluster (one NodeManager) with a MiniDFSCluster, in client and in cluster deploy mode: input and
 * output on {@code hdfs://}, the application {@code SUCCEEDED} by the ResourceManager's report, and the model
 * read back from HDFS with the same bits as the same job on {@code local[2]}.
 */
class YarnClusterTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SUBMIT = ROOT.resolve("deploy/bin/dendrite-submit");
    private static final Path SPARK_HOME = ROOT.resolve("deploy/target/spark-home");
    private static final Path DIGITS = ROOT.resolve("datasets/src/main/resources/io/dendrite/datasets/bundled/digits.csv.gz");

    private static Path dir;
    private static MiniDFSCluster dfs;
    private static MiniYARNCluster yarn;
    private static Path hadoopConf;

    @BeforeAll
    static void startYarnAndHdfs() throws Exception {
        dir = Files.createTempDirectory("dendrite-yarn-test");
        long started = System.nanoTime();
        Configuration base = new Configuration();
        base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
        dfs.waitActive();
        YarnConfiguration conf = new YarnConfiguration(dfs.getConfiguration(0));
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
        // Room for the ApplicationMaster and two executors of 1 GB (the default 4096 MB holds one).
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 8192);
        conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", 8192);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
        yarn = new MiniYARNCluster("dendrite", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
            assertTrue(System.nanoTime() < deadline, "the ResourceManager did not report its address");
            Thread.sleep(100);
        }
        // The launcher finds the ResourceManager and HDFS in HADOOP_CONF_DIR, as with a real cluster.
        hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        Configuration client = new Configuration(yarn.getConfig());
        // MiniDFSCluster's rack mapping is a class from Hadoop's test jars, which a client does not have.
        client.unset("net.topology.node.switch.mapping.impl");
        for (String site : List.of("core-site.xml", "yarn-site.xml", "hdfs-site.xml")) {
            try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(site))) {
                client.writeXml(out);
            }
        }
        System.out.printf(Locale.ROOT, "YarnClusterTest: MiniDFSCluster + MiniYARNCluster start: %.1f s%n",
                (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void stopYarnAndHdfs() {
        long started = System.nanoTime();
        try {
            if (yarn != null) {
                yarn.stop();
            }
        } finally {
            if (dfs != null) {
                dfs.shutdown();
            }
        }
        System.out.printf(Locale.ROOT, "YarnClusterTest: stop: %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** The digits as CSV (64 pixels, then the label), two partitions, three epochs. */
    private static Path job(String input) throws IOException {
        return Files.writeString(dir.resolve("digits-" + Math.abs(input.hashCode()) + ".yaml"), String.join("\n",
                "model:", "  layers:", "    - dense: 64", "      activation: relu", "    - dense: 10",
                "      activation: softmax", "  loss: categorical_crossentropy",
                "optimizer:", "  name: adam", "  learning_rate: 0.001",
                "data:", "  train:", "    format: csv", "    path: " + input, "    header: false",
                "    label_column: \"64\"", "    classes: 10", "    partitions: 2", "  test_split: 0.2",
                "  scaling: constant", "  scaling_divisor: 16",
                "training:", "  batch_size: 64", "  epochs: 3", "  seed: 42", "  mode: barrier",
                "output:", "  chart: false", ""));
    }

    private static int submit(List<String> command, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("HADOOP_CONF_DIR", hadoopConf.toString());
        env.put("HADOOP_USER_NAME", System.getProperty("user.name"));
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 300 s; see " + log);
        }
        return p.exitValue();
    }

    @Test
    void clientAndClusterModeSucceedWithInputAndOutputOnHdfs() throws Exception {
        FileSystem fs = dfs.getFileSystem();
        org.apache.hadoop.fs.Path input = new org.apache.hadoop.fs.Path("/data/digits.csv.gz");
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(DIGITS.toString()), input);
        String hdfs = fs.getUri().toString();
        Path yarnJob = job(hdfs + input);
        List<float[]> weights = new ArrayList<>();
        byte[] stepCapture = null;
        for (String mode : List.of("client", "cluster")) {
            String output = hdfs + "/runs/" + mode;
            List<String> c = new ArrayList<>(List.of("bash", SUBMIT.toString(), "--master", "yarn", "--deploy-mode",
                    mode, "--conf", "spark.yarn.jars=local:" + SPARK_HOME.resolve("jars") + "/*",
                    "--conf", "spark.executor.instances=2", "--conf", "spark.executor.cores=1",
                    "--conf", "spark.executor.memory=1g", "--conf", "spark.yarn.am.memory=512m",
                    "--conf", "spark.driver.memory=1g",
                    "train", "--job", yarnJob.toUri().toString(), "--output", output));
            boolean encrypted = mode.equals("cluster");
            int port = encrypted ? freePorts() : 0;
            if (encrypted) {
                // Spark's authentication (YARN makes the secret) and network encryption: the steps go over TLS.
                c.addAll(6, List.of("--conf", "spark.authenticate=true", "--conf", "spark.network.crypto.enabled=true"));
                c.addAll(List.of("training.parameter_server.port=" + port, "training.parameter_server.port_retries=3"));
            }
            Path log = dir.resolve("yarn-" + mode + ".log");
            long started = System.nanoTime();
            int code;
            if (encrypted) {
                try (LoopbackCapture capture = LoopbackCapture.start(dir.resolve("steps.pcap"), port, port + 3)) {
                    code = submit(c, log);
                    stepCapture = capture.stop();
                }
            } else {
                code = submit(c, log);
            }
            System.out.printf(Locale.ROOT, "YarnClusterTest: %s mode%s: %.1f s%n", mode, encrypted ? " (encrypted)" : "",
                    (System.nanoTime() - started) / 1e9);
            assertEquals(0, code, Files.readString(log, StandardCharsets.UTF_8));
            ApplicationReport app = lastApplication();
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), app.toString());
            Path local = dir.resolve("model-" + mode);
            fs.copyToLocalFile(new org.apache.hadoop.fs.Path(output + "/model"), new org.apache.hadoop.fs.Path(local.toString()));
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(output + "/summary.json")), "outputs land on HDFS");
            weights.add(ModelFiles.load(local).parameters());
        }
        Path reference = dir.resolve("local");
        Path localJob = job(DIGITS.toUri().toString());
        // With HADOOP_CONF_DIR set, a path without a scheme is on HDFS: the reference run names file: paths.
        int code = submit(List.of("bash", SUBMIT.toString(), "--master", "local[2]", "train", "--job",
                localJob.toUri().toString(), "--output", reference.toUri().toString()), dir.resolve("local.log"));
        assertEquals(0, code, Files.readString(dir.resolve("local.log")));
        float[] expected = ModelFiles.load(reference.resolve("model")).parameters();
        assertArrayEquals(expected, weights.get(0), "client mode on YARN equals local[2]");
        assertArrayEquals(expected, weights.get(1), "cluster mode on YARN, encrypted, equals local[2]");
        String summary = new String(fs.open(new org.apache.hadoop.fs.Path(hdfs + "/runs/cluster/summary.json"))
                .readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(summary.contains("\"step_traffic\" : \"tls1.3\"") || summary.contains("\"step_traffic\":\"tls1.3\""),
                summary);
        assertNoPlaintextSteps(stepCapture, ModelFiles.load(reference.resolve("model")).spec()
                .initialParameters(Streams.init(42)));
    }

    /**
     * The capture of the encrypted run's step ports holds TLS records and at least the bytes of its steps'
     * weights, but not the first step's weights in the clear nor the step protocol's challenge.
     */
    private static void assertNoPlaintextSteps(byte[] pcap, float[] initial) {
        // 1797 rows less a 20% test split, batch 64: 22 or 23 steps an epoch, at least 66 in all; the root's traffic
        // alone carries the weights down and a share up each step.
        long stepBytes = 2L * 66 * 4 * initial.length;
        assertTrue(pcap.length > stepBytes, "the capture holds " + pcap.length + " bytes, fewer than the " + stepBytes
                + " the steps moved");
        assertTrue(LoopbackCapture.indexOf(pcap, new byte[] {0x16, 0x03, 0x03}) >= 0
                || LoopbackCapture.indexOf(pcap, new byte[] {0x16, 0x03, 0x01}) >= 0, "a TLS handshake record");
        ByteBuffer w = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            w.putFloat(initial[i]);
        }
        assertEquals(-1, LoopbackCapture.indexOf(pcap, w.array()), "the first step's weights crossed in the clear");
        byte[] magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x44505331).array(); // "DPS1"
        assertEquals(-1, LoopbackCapture.indexOf(pcap, magic), "the step protocol's challenge crossed in the clear");
    }

    /** A port that is free, with the three after it, for the parameter server and its rendezvous. */
    private static int freePorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            if (port + 3 > 65535) {
                continue;
            }
            boolean free = true;
            for (int p = port; p <= port + 3 && free; p++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(p)) {
                    free = true;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no four free ports in a row for the parameter server");
    }

    @Test
    void aUserErrorInClusterModeFailsOnceWithItsOneLineMessage() throws Exception {
        String hdfs = dfs.getFileSystem().getUri().toString();
        Path badJob = job(hdfs + "/data/none.csv");
        Path log = dir.resolve("yarn-bad.log");
        int code = submit(List.of("bash", SUBMIT.toString(), "--master", "yarn", "--deploy-mode", "cluster",
                "--conf", "spark.yarn.jars=local:" + SPARK_HOME.resolve("jars") + "/*",
                "--conf", "spark.yarn.am.memory=512m", "--conf", "spark.driver.memory=1g",
                "train", "--job", badJob.toUri().toString(), "training.epochz=3"), log);
        assertTrue(code != 0, Files.readString(log));
        ApplicationReport app = lastApplication();
        assertEquals(FinalApplicationStatus.FAILED, app.getFinalApplicationStatus(), app.toString());
        assertTrue(app.getDiagnostics().contains("dendrite: unknown key 'training.epochz'"), app.getDiagnostics());
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            assertEquals(1, client.getApplicationAttempts(app.getApplicationId()).size(), "not retried as a new attempt");
        }
    }

    private static ApplicationReport lastApplication() throws Exception {
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            return client.getApplications().stream()
                    .max((a, b) -> Long.compare(a.getStartTime(), b.getStartTime())).orElseThrow();
        }
    }
}
