package io.dendrite.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A packet capture of TCP traffic on the loopback interface with {@code tcpdump} (root, as CI runs), for
 * tests that check what crosses a socket. {@link #stop} ends it and returns the capture file's bytes.
 */
final class LoopbackCapture implements AutoCloseable {
    private final Process process;
    private final Path file;

    private LoopbackCapture(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /**
     * Starts capturing the TCP traffic to and from ports {@code firstPort}–{@code lastPort} into {@code file}
     * and returns once tcpdump says it is listening.
     */
    static LoopbackCapture start(Path file, int firstPort, int lastPort) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "-s", "0", "-Z", "root", "-w", file.toString(),
                    "tcp portrange " + firstPort + "-" + lastPort).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("this test captures loopback traffic with tcpdump, which did not start (install "
                    + "Debian's tcpdump and run as root, as .ci/run does): " + e.getMessage(), e);
        }
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            StringBuilder said = new StringBuilder();
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    said.append(line).append('\n');
                    if (line.contains("listening on")) {
                        return null;
                    }
                }
            } catch (IOException e) {
                said.append(e.getMessage());
            }
            return said.toString();
        });
        String failure;
        try {
            failure = listening.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            failure = "no 'listening on' within 20 s";
        }
        if (failure != null) {
            p.destroyForcibly();
            throw new IOException("tcpdump did not start capturing on lo: " + failure.strip());
        }
        CompletableFuture.runAsync(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // tcpdump ended
            }
        });
        return new LoopbackCapture(p, file);
    }

    /** Ends the capture (tcpdump writes what it holds on SIGTERM) and returns the file's bytes. */
    byte[] stop() throws IOException, InterruptedException {
        Thread.sleep(200); // the last packets reach the capture buffer
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return Files.readAllBytes(file);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Where {@code needle} first occurs in {@code haystack}, or -1. */
    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
