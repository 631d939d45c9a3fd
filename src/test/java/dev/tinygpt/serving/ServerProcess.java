package dev.tinygpt.serving;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tinygpt serve} in a child JVM (this JVM's java and class path: what {@code bin/tinygpt
 * serve} runs), on a free port ({@code --port 0}): started, its address read from the line it
 * prints when ready, killed with SIGKILL. Its standard output and error go to a log file.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("tinygpt serve: listening on (http://\\S+)");

    private final Process process;
    private final URI uri;
    private final Path log;

    private ServerProcess(Process process, URI uri, Path log) {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /**
     * Starts {@code tinygpt serve --model model --port 0 serveArgs…} and waits up to {@code ready}
     * for its listening line; {@code log} receives its output.
     */
    static ServerProcess start(Path model, List<String> serveArgs, Path log, Duration ready)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", "--model", model.toString()));
        args.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
        args.addAll(serveArgs);
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-Dai.djl.offline=true",
                                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.tinygpt.cli.Main"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread copier =
                new Thread(() -> copy(process, log, listening), "serve-log-" + process.pid());
        copier.setDaemon(true);
        copier.start();
        try {
            return new ServerProcess(
                    process, listening.get(ready.toMillis(), TimeUnit.MILLISECONDS), log);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException(
                    "tinygpt serve did not say it was listening within "
                            + ready.toSeconds()
                            + " s: "
                            + lastLines(log),
                    e);
        }
    }

    /** Copies the server's output to {@code log}; completes {@code listening} on its line. */
    private static void copy(Process process, Path log, CompletableFuture<URI> listening) {
        try (BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out =
                        new PrintWriter(
                                Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    listening.complete(URI.create(m.group(1)));
                }
            }
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
        listening.completeExceptionally(new IOException("tinygpt serve exited"));
    }

    /** The last lines of the log, for an error message. */
    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code http://127.0.0.1:PORT}, as the server printed it. */
    URI uri() {
        return uri;
    }

    /** The log's last lines, for messages. */
    String logTail() {
        return lastLines(log);
    }

    /** SIGKILL: no drain, no shutdown hook; waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Kills the server if it is still running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
