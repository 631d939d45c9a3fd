package dev.tinygpt.serving.http;

import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.serving.Scheduler;
import dev.tinygpt.serving.ServingException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tinygpt's OpenAI-compatible HTTP server (Javalin on Jetty): completions, chat completions,
 * models, tokenize and detokenize, health, Prometheus metrics and a playground page, in front of
 * one {@link Scheduler} that batches every request into one running batch.
 *
 * <p>Embedding: {@code try (CompletionServer s = CompletionServer.start(model, options)) {…}}
 * listens at once and serves the loaded model ({@link #port()} says where when the options asked
 * for port 0). {@link #listen} then {@link #ready} separates the two, so {@code /health} answers
 * 503 while the model loads. {@link #drain} stops accepting (503), lets the running requests finish
 * for the options' drain timeout, then stops; {@link #close} stops at once. The server never closes
 * the model.
 */
public final class CompletionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    private static final long STOP_MILLIS = 10_000;

    /** Where the server is in its life; requests other than the page and metrics need READY. */
    enum State {
        LOADING,
        READY,
        DRAINING,
        STOPPED
    }

    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final byte[] keyDigest; // SHA-256 of the API key, or null
    private final Javalin app;
    private volatile State state = State.LOADING;
    private volatile Scheduler scheduler;
    private volatile Endpoints endpoints;

    private CompletionServer(ServerOptions options) {
        this.options = options;
        this.metrics =
                new ServerMetrics(
                        () -> scheduler == null ? 0 : scheduler.queueDepth(),
                        () -> scheduler == null ? 0 : scheduler.runningRows());
        this.keyDigest = options.apiKey().map(CompletionServer::sha256).orElse(null);
        this.app = Javalin.create(this::configure);
    }

    /** Listens now and serves {@code model} (which the caller still owns and closes). */
    public static CompletionServer start(LanguageModel model, ServerOptions options) {
        CompletionServer server = listen(options);
        try {
            server.ready(model);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Listens now; every API request gets 503 until {@link #ready}.
     *
     * @throws IllegalStateException when the address cannot be bound, naming it
     */
    public static CompletionServer listen(ServerOptions options) {
        CompletionServer server = new CompletionServer(options);
        try {
            server.app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            server.app.stop();
            throw new IllegalStateException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + cause(e),
                    e);
        }
        return server;
    }

    private static String cause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Starts serving {@code model}: its scheduler starts and {@code /health} turns 200. */
    public synchronized void ready(LanguageModel model) {
        if (state != State.LOADING) {
            throw new IllegalStateException(
                    "the server is " + state.name().toLowerCase(Locale.ROOT));
        }
        scheduler = new Scheduler(model, options.maxBatch(), options.maxQueue());
        endpoints = new Endpoints(model, options, scheduler, metrics);
        state = State.READY;
    }

    /** The port it listens on (the one taken when the options asked for 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://HOST:PORT}, as the readiness line prints it. */
    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    /**
     * Stops accepting (new requests get 503), lets the running and queued ones finish for up to the
     * options' drain timeout, cuts off the rest, and stops listening.
     *
     * @return whether everything accepted finished in time
     */
    public synchronized boolean drain() {
        if (state == State.STOPPED) {
            return true;
        }
        state = State.DRAINING;
        boolean finished = scheduler == null || scheduler.drain(options.drainTimeout());
        try {
            // The scheduler is done; the responses' last events may still be on their way.
            finished &= endpoints == null || endpoints.awaitIdle(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        stop();
        return finished;
    }

    /** Stops at once: running requests end with an error. */
    @Override
    public synchronized void close() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.DRAINING;
        if (scheduler != null) {
            scheduler.drain(Duration.ZERO);
        }
        stop();
    }

    private void stop() {
        app.stop();
        state = State.STOPPED;
    }

    private void configure(io.javalin.config.JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false;
        config.http.compressionStrategy = CompressionStrategy.NONE;
        config.http.maxRequestSize = options.maxBodyBytes();
        // Stopping waits for the requests in flight to send their last byte: a handler that has
        // returned may still have its response's end (Javalin writes a whole result, Jetty the
        // stream's last chunk) on the way, and a drain must not cut it off.
        config.jetty.modifyServer(
                server -> {
                    server.setHandler(new GracefulHandler());
                    server.setStopTimeout(STOP_MILLIS);
                });
        // A completion holds its thread until its last byte: room for every request the
        // scheduler accepts, plus the page, health and metrics, so a full server answers 429
        // rather than leaving connections unanswered in Jetty's own queue.
        int threads = Math.max(250, options.maxBatch() + options.maxQueue() + 32);
        config.jetty.threadPool = new QueuedThreadPool(threads, 8, 60_000);
        config.requestLogger.http(
                (ctx, ms) -> {
                    if (isApi(ctx.path())) { // not the page, health checks or scrapes
                        metrics.request(ctx.statusCode());
                    }
                });
        config.routes.before(this::guard);
        config.routes.get("/", ctx -> Playground.serve(ctx));
        config.routes.get("/health", this::health);
        config.routes.get(
                "/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        config.routes.get("/v1/models", ctx -> endpoints.models(ctx));
        config.routes.get("/v1/models/{model}", ctx -> endpoints.model(ctx));
        config.routes.post("/v1/completions", ctx -> endpoints.completions(ctx));
        config.routes.post("/v1/chat/completions", ctx -> endpoints.chat(ctx));
        config.routes.post("/tokenize", ctx -> endpoints.tokenize(ctx));
        config.routes.post("/detokenize", ctx -> endpoints.detokenize(ctx));
        config.routes.exception(ApiError.class, (e, ctx) -> write(ctx, e));
        config.routes.exception(ServingException.class, (e, ctx) -> write(ctx, ApiError.of(e)));
        config.routes.exception(
                HttpResponseException.class, (e, ctx) -> write(ctx, ApiError.of(e)));
        config.routes.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.warn("a request failed", e);
                    write(ctx, ApiError.internal());
                });
    }

    /** The API key and the state, before any API route (the page, health and metrics are open). */
    private void guard(Context ctx) {
        if (!isApi(ctx.path())) {
            return;
        }
        if (keyDigest != null && !authorized(ctx.header("Authorization"))) {
            throw ApiError.unauthorized(
                    "missing or wrong API key: send the header Authorization: Bearer KEY");
        }
        requireReady();
    }

    private static boolean isApi(String path) {
        return path.startsWith("/v1/") || path.equals("/tokenize") || path.equals("/detokenize");
    }

    /** Compares digests of the key in constant time: the time taken says nothing of the key. */
    private boolean authorized(String header) {
        String prefix = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        return MessageDigest.isEqual(keyDigest, sha256(header.substring(prefix.length()).strip()));
    }

    private void requireReady() {
        switch (state) {
            case READY -> {}
            case LOADING -> throw ApiError.unavailable("the model is loading: retry shortly");
            default -> throw ApiError.unavailable("the server is shutting down");
        }
    }

    private void health(Context ctx) {
        requireReady();
        ctx.contentType("application/json").result("{\"status\":\"ok\"}");
    }

    private static void write(Context ctx, ApiError e) {
        if (e.status() == 429) {
            ctx.header("Retry-After", "1");
        }
        ctx.status(e.status()).contentType("application/json").result(e.body().toString());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e); // every JVM has it
        }
    }
}
