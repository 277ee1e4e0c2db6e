package io.dendrite.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/bin/dendrite-cluster} signals only processes it proves are the ones it started: pid files left
 * by a cluster that died (a reboot, {@code kill -9}) name pids that other processes may hold later. Those are
 * cleared, never signalled, at {@code stop} and at {@code start}. A cluster requires authentication by default.
 */
class ClusterScriptTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CLUSTER_SCRIPT = ROOT.resolve("deploy/bin/dendrite-cluster");
    private final List<Process> bystanders = new ArrayList<>();
    private final List<ProcessHandle> children = new ArrayList<>();
    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) {
            run(60, "stop", "--dir", dir.toString());
        }
        for (Process p : bystanders) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly); // also when a faulty stop killed their parent

    }

    private record Result(int code, String output) {
    }

    private static Result run(long seconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", CLUSTER_SCRIPT.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within " + seconds + " s: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** An unrelated process with a child, as another user's job might hold a pid a dead cluster recorded. */
    private Process bystander() throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "sleep 600 & wait").start();
        bystanders.add(p);
        return p;
    }

    /** This process's start time as /proc gives it (field 22 of /proc/PID/stat). */
    private static String startTime(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(") ") + 2).split(" ")[19];
    }

    /** Pid files as a cluster that died would leave them, each naming a live bystander in another way. */
    private List<Process> stalePidFiles() throws Exception {
        Files.createDirectories(dir.resolve("pids"));
        Process master = bystander();
        Process worker = bystander();
        Process other = bystander();
        // The format before start times were recorded: the pid alone.
        Files.writeString(dir.resolve("pids/master.pid"), master.pid() + "\n");
        // The right pid and start time but not one of this cluster's JVMs (its command line lacks the directory).
        Files.writeString(dir.resolve("pids/worker-1.pid"), worker.pid() + " " + startTime(worker.pid()) + " " + dir
                + "\n");
        // A pid whose process started at another time than the one recorded: the pid was reused.
        Files.writeString(dir.resolve("pids/worker-2.pid"), other.pid() + " 12345 " + dir + "\n");
        List<Process> held = List.of(master, worker, other);
        for (Process p : held) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.descendants().count() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            p.descendants().forEach(children::add);
        }
        return held;
    }

    private static void assertAllAlive(List<Process> processes) {
        for (Process p : processes) {
            assertTrue(p.isAlive(), "process " + p.pid() + " was signalled");
            assertTrue(p.descendants().allMatch(ProcessHandle::isAlive), "a child of " + p.pid() + " was signalled");
            assertEquals(1, p.descendants().count(), "the child of " + p.pid());
        }
    }

    @Test
    void stopSignalsNoProcessThatMerelyHoldsARecordedPid() throws Exception {
        dir = Files.createTempDirectory("dendrite-cluster-stale").toRealPath();
        List<Process> held = stalePidFiles();
        Result r = run(60, "stop", "--dir", dir.toString());
        assertEquals(0, r.code, r.output);
        assertAllAlive(held);
        assertTrue(r.output.contains("clearing stale master.pid") && r.output.contains("clearing stale worker-1.pid")
                && r.output.contains("clearing stale worker-2.pid"), r.output);
        try (var left = Files.list(dir.resolve("pids"))) {
            assertEquals(0, left.count(), "stale pid files cleared");
        }
    }

    @Test
    void startClearsStalePidFilesRequiresASecretAndStopEndsOnlyItsOwn() throws Exception {
        dir = Files.createTempDirectory("dendrite-cluster-stale").toRealPath();
        List<Process> held = stalePidFiles();
        Result started = run(120, "start", "1", "--dir", dir.toString());
        assertEquals(0, started.code, started.output);
        assertTrue(started.output.contains("clearing stale master.pid"), started.output);
        assertAllAlive(held);
        // Authentication by default: a generated secret only its owner can read, passed in the environment.
        Path secret = dir.resolve("secret");
        Path driverArgs = dir.resolve("driver.jvmargs");
        for (Path f : List.of(secret, driverArgs)) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(f), f.toString());
        }
        String secretText = Files.readString(secret).strip();
        assertTrue(secretText.length() >= 40, "32 random bytes, base64");
        String masterPid = Files.readString(dir.resolve("pids/master.pid")).split(" ")[0];
        String cmdline = Files.readString(Path.of("/proc/" + masterPid + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("-Dspark.authenticate=true") && !cmdline.contains(secretText), cmdline);
        assertTrue(Files.readString(Path.of("/proc/" + masterPid + "/environ")).contains("_SPARK_AUTH_SECRET="
                + secretText));
        ProcessHandle masterJvm = ProcessHandle.of(Long.parseLong(masterPid)).orElseThrow();
        Result stopped = run(60, "stop", "--dir", dir.toString());
        assertEquals(0, stopped.code, stopped.output);
        assertTrue(masterJvm.onExit().get(30, TimeUnit.SECONDS) != null && !masterJvm.isAlive());
        assertAllAlive(held);
        assertFalse(Files.exists(secret) || Files.exists(driverArgs), "stop removes the secret");
    }

    @Test
    void aMissingOptionValueIsOneLine() throws Exception {
        Result r = run(30, "start", "1", "--cores");
        assertEquals(2, r.code, r.output);
        assertEquals("dendrite-cluster: option --cores needs a value", r.output.strip());
        r = run(30, "start", "1", "--no-auth", "--secret-file", "/dev/null");
        assertEquals(2, r.code, r.output);
        assertTrue(r.output.contains("--secret-file and --no-auth exclude each other"), r.output);
    }
}
