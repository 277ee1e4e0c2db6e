package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server whose {@code accept} fails (here the real thing: no file descriptor left, EMFILE, in a JVM run
 * under {@code ulimit -n}) keeps accepting once it can again: the connection waiting in the backlog then
 * completes. Before, the first such failure ended the acceptor for good and every later task timed out.
 */
class AcceptUnderExhaustionTest {

    /** Opens /dev/null until no file descriptor is left; says how many it took. */
    static List<FileInputStream> exhaustDescriptors(PrintStream out) {
        List<FileInputStream> held = new ArrayList<>();
        try {
            while (true) {
                held.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException e) {
            out.println("exhausted after " + held.size() + ": " + e.getMessage());
        }
        return held;
    }

    /** The server's JVM: a rendezvous, then every descriptor taken until the test says to give them back. */
    public static final class Server {
        public static void main(String[] args) throws Exception {
            RunKeys keys;
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
                keys = (RunKeys) in.readObject();
            }
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                    StandardCharsets.UTF_8);
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (Rendezvous r = Rendezvous.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 10_000, 20_000),
                    keys, 0)) {
                // Once through every path first, so nothing needs a class file while no descriptor is left.
                r.expect(0, 1);
                Rendezvous.exchange("127.0.0.1", r.port(), keys, 0, 0, 0, "warm:1", 10_000, 10_000, () -> false);
                System.getLogger(Handshaker.class.getName()).log(System.Logger.Level.WARNING, "warming the log",
                        new IOException("not a failure"));
                r.expect(1, 1);
                out.println("port " + r.port());
                List<FileInputStream> held = exhaustDescriptors(out);
                String line = commands.readLine(); // "release", once the test's task waits in the backlog
                for (FileInputStream f : held) {
                    f.close();
                }
                out.println("released " + line);
                commands.readLine(); // "done"
                out.println("acceptor " + (r.acceptFailure() == null ? "serving" : "failed: " + r.acceptFailure()));
            }
        }
    }

    /**
     * A parameter server whose accept fails for longer than its step timeout (1.5 s here): the acceptor stops,
     * and the training thread's next wait fails with the cause instead of waiting out the step timeout.
     */
    public static final class GivingUp {
        public static void main(String[] args) throws Exception {
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                    StandardCharsets.UTF_8);
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 1000,
                    1500), RunKeys.authenticated(), 1, 4)) {
                System.getLogger(Handshaker.class.getName()).log(System.Logger.Level.WARNING, "warming the log",
                        new IOException("not a failure"));
                new IllegalStateException("warming", new IOException("the classes of the failure"));
                out.println("port " + s.port());
                List<FileInputStream> held = exhaustDescriptors(out);
                commands.readLine(); // "release", once accept has failed for longer than the step timeout
                for (FileInputStream f : held) {
                    f.close();
                }
                s.beginStage(0);
                long started = System.nanoTime();
                try {
                    s.exchange(0, 0, new float[4], () -> null);
                    out.println("exchanged");
                } catch (IllegalStateException e) {
                    out.println("failed after " + (System.nanoTime() - started) / 1_000_000 + " ms: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void anAcceptorThatGivesUpFailsTheRunAtOnceWithItsCause() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n 256 && exec '" + java + "' -Xshare:off -cp '" + System.getProperty("java.class.path")
                + "' '" + GivingUp.class.getName() + "'";
        Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            PrintStream commands = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
            int port = Integer.parseInt(lines.readLine().substring(5));
            assertTrue(lines.readLine().startsWith("exhausted after "));
            try (java.net.Socket task = new java.net.Socket("127.0.0.1", port)) {
                Thread.sleep(3000); // waits in the backlog; every accept fails, for twice the step timeout
                commands.println("release");
                String outcome = lines.readLine();
                assertTrue(outcome.startsWith("failed after ") && outcome.contains("the parameter server stopped "
                        + "accepting connections") && outcome.contains("Too many open files"), outcome);
                long ms = Long.parseLong(outcome.substring("failed after ".length(), outcome.indexOf(" ms")));
                assertTrue(ms < 1000, "at once, not at the step timeout: " + outcome);
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aServerOutOfFileDescriptorsAcceptsAgainOnceItHasThem() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        Path keyFile = Files.createTempFile("dendrite-keys", ".bin");
        try (ObjectOutputStream o = new ObjectOutputStream(Files.newOutputStream(keyFile))) {
            o.writeObject(keys);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n 256 && exec '" + java + "' -Xshare:off -cp '" + System.getProperty("java.class.path")
                + "' '" + Server.class.getName() + "' '" + keyFile + "'";
        Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            PrintStream commands = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
            String port = lines.readLine();
            assertTrue(port != null && port.startsWith("port "), String.valueOf(port));
            String exhausted = lines.readLine();
            assertTrue(exhausted.startsWith("exhausted after ") && exhausted.contains("Too many open files"), exhausted);
            CompletableFuture<String[]> task = CompletableFuture.supplyAsync(() -> {
                try {
                    return Rendezvous.exchange("127.0.0.1", Integer.parseInt(port.substring(5)), keys, 0, 0, 1,
                            "10.0.0.1:5000", 15_000, 15_000, () -> false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(1500); // the connection waits in the backlog; every accept meanwhile fails with EMFILE
            commands.println("release");
            assertTrue(lines.readLine().startsWith("released"));
            assertArrayEquals(new String[] {"10.0.0.1:5000"}, task.get(15, TimeUnit.SECONDS));
            commands.println("done");
            assertEquals("acceptor serving", lines.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(keyFile);
        }
    }
}
