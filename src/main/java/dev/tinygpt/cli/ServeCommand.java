package dev.tinygpt.cli;

import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.serving.http.ChatTemplate;
import dev.tinygpt.serving.http.CompletionServer;
import dev.tinygpt.serving.http.ServerOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt serve}: the OpenAI-compatible HTTP server ({@link CompletionServer}) on one model
 * directory. It listens first (so {@code /health} says 503 while the model loads), prints {@code
 * tinygpt serve: listening on http://HOST:PORT} on stderr once it serves, and on SIGTERM or Ctrl-C
 * stops accepting, lets running requests finish (bounded), closes the model and exits 0.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a model over HTTP with OpenAI's API (/v1/completions, /v1/chat/completions,"
                    + " /v1/models), /tokenize, /detokenize, /health, /metrics and a playground"
                    + " page at /.",
            "Requests are batched continuously; SIGTERM drains them and exits 0."
        })
final class ServeCommand implements Callable<Integer> {
    @Mixin ModelOption model = new ModelOption();
    @Mixin ThreadsOption threads = new ThreadsOption();
    @Mixin AdapterOption adapter = new AdapterOption();

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = ServerOptions.DEFAULT_HOST,
            description =
                    "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for"
                            + " every interface).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + ServerOptions.DEFAULT_PORT,
            description = "TCP port; 0 takes a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            defaultValue = "" + ServerOptions.DEFAULT_MAX_BATCH,
            description = "Rows decoded together at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
            names = "--max-queue",
            paramLabel = "N",
            defaultValue = "" + ServerOptions.DEFAULT_MAX_QUEUE,
            description =
                    "Requests that may wait for a row; more get 429 with Retry-After (default:"
                            + " ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description =
                    "Require 'Authorization: Bearer KEY' on the API routes (default: none, every"
                            + " client is served).")
    String apiKey;

    @Option(
            names = "--served-model-name",
            paramLabel = "NAME",
            description =
                    "The model's name in /v1/models and requests (default: the directory's name).")
    String servedModelName;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        Path dir = model.dir();
        ModelDirectory.readConfig(dir); // a missing or bad directory fails before the port opens
        String name =
                servedModelName != null
                        ? servedModelName
                        : dir.toAbsolutePath().normalize().getFileName().toString();
        ServerOptions options =
                ServerOptions.builder(name)
                        .host(host)
                        .port(port)
                        .maxBatch(maxBatch)
                        .maxQueue(maxQueue)
                        .apiKey(apiKey)
                        .chatTemplate(ChatTemplate.read(dir).orElse(null))
                        .build();
        CompletionServer server;
        try {
            server = CompletionServer.listen(options);
        } catch (IllegalStateException e) {
            // The port is taken or the host is not this machine's: the options' fault, one line.
            String hint = e.getMessage().contains("in use") ? " (--port 0 takes a free one)" : "";
            throw new IllegalArgumentException(e.getMessage() + hint, e);
        }
        LanguageModel lm;
        try {
            lm = LanguageModel.load(dir, adapter.dir);
            server.ready(lm);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> shutDown(server, lm, stopped), "tinygpt-drain"));
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        err.println("tinygpt serve: listening on " + server.url());
        stopped.await(); // until SIGTERM or Ctrl-C: the hook drains, then the JVM exits
        return 0;
    }

    /**
     * The shutdown hook: drain, close the model, and exit 0 — a drained server stopped as asked
     * (the JVM's own status after a signal would be 128 + the signal's number).
     */
    private static void shutDown(CompletionServer server, LanguageModel lm, CountDownLatch done) {
        boolean finished = server.drain();
        lm.close();
        System.err.println(
                "tinygpt serve: stopped"
                        + (finished
                                ? ""
                                : " (requests still running at the drain timeout were cut)"));
        System.err.flush();
        done.countDown();
        Runtime.getRuntime().halt(0);
    }
}
