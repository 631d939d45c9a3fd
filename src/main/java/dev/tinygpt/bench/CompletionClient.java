package dev.tinygpt.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A client of an OpenAI-style {@code /v1/completions} endpoint (java.net.http, HTTP/1.1): a
 * streamed request read as server-sent events chunk by chunk, a whole one, and the server's {@code
 * /metrics}. Every outcome comes back as a {@link StreamedCompletion}, failures included, so a load
 * run counts its errors instead of stopping at the first.
 *
 * <p>No request can hang: one whose headers or next line do not come within the idle timeout is
 * ended as an error ({@link #IDLE_ERROR}), its connection closed.
 */
public final class CompletionClient {
    /** How an error message begins when the server fell silent for longer than the idle timeout. */
    public static final String IDLE_ERROR = "no data for";

    /**
     * One daemon thread closes the streams that fell silent. A timeout is rescheduled on every
     * line, so a cancelled one leaves the queue at once rather than when it would have fired (it
     * holds its stream: thousands of requests' worth would stay reachable for the idle timeout).
     */
    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "completion-client-watchdog");
                            t.setDaemon(true);
                            return t;
                        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private final HttpClient http;
    private final URI base;
    private final Duration idle;

    /** A client of the server at {@code base} ({@code http://host:port}), idle timeout 2 min. */
    public CompletionClient(URI base) {
        this(base, Duration.ofMinutes(2));
    }

    /**
     * A client whose requests end as errors when the server sends nothing (headers, or the next
     * line of a body) for {@code idle}.
     */
    public CompletionClient(URI base, Duration idle) {
        this.base = base;
        this.idle = idle;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
    }

    public URI base() {
        return base;
    }

    /** Sends {@code request} with {@code "stream": true} and reads its events to the end. */
    public StreamedCompletion stream(JsonObject request) {
        JsonObject body = request.deepCopy();
        body.addProperty("stream", true);
        Reader reader = new Reader();
        try {
            HttpResponse<InputStream> response =
                    http.send(post(body), HttpResponse.BodyHandlers.ofInputStream());
            reader.headers(response);
            Watchdog watchdog = new Watchdog(response.body());
            try (BufferedReader lines =
                    new BufferedReader(
                            new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                    return reader.end(errorMessage(response.statusCode(), readAll(lines)));
                }
                return reader.events(lines, watchdog);
            } catch (IOException e) {
                if (!watchdog.fired()) {
                    throw e;
                }
                return reader.end(
                        IDLE_ERROR + " " + idle.toMillis() / 1000.0 + " s: the client closed it");
            } finally {
                watchdog.stop();
            }
        } catch (IOException | RuntimeException e) {
            return reader.end(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reader.end("interrupted");
        }
    }

    /** Sends {@code request} with {@code "stream": false}; the text is the first choice's. */
    public StreamedCompletion complete(JsonObject request) {
        JsonObject body = request.deepCopy();
        body.addProperty("stream", false);
        Reader reader = new Reader();
        try {
            HttpResponse<String> response =
                    http.send(post(body), HttpResponse.BodyHandlers.ofString());
            reader.headers(response);
            if (response.statusCode() != 200) {
                return reader.end(errorMessage(response.statusCode(), response.body()));
            }
            JsonObject json = JsonParser.parseString(response.body()).getAsJsonObject();
            reader.choices(json);
            reader.done = true;
            return reader.end(null);
        } catch (IOException | RuntimeException e) {
            return reader.end(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reader.end("interrupted");
        }
    }

    /** GET {@code path}: the body of a 200 response, or an error naming the status. */
    public String get(String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** The server's {@code /metrics}, parsed. */
    public PrometheusText metrics() throws IOException, InterruptedException {
        return PrometheusText.parse(get("/metrics"));
    }

    private HttpRequest post(JsonObject body) {
        return HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .timeout(idle) // until the headers come; the watchdog times the body
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    /**
     * Closes a response body when {@link #activity} has not been called for the idle timeout, which
     * ends a blocked read with an IOException.
     */
    private final class Watchdog {
        private final InputStream body;
        private ScheduledFuture<?> pending;
        private volatile boolean fired;

        Watchdog(InputStream body) {
            this.body = body;
            activity();
        }

        /** Data came: the timeout starts again. */
        synchronized void activity() {
            if (pending != null) {
                pending.cancel(false);
            }
            pending = WATCHDOG.schedule(this::fire, idle.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void fire() {
            fired = true;
            try {
                body.close();
            } catch (IOException e) {
                // closing is all it can do
            }
        }

        boolean fired() {
            return fired;
        }

        synchronized void stop() {
            pending.cancel(false);
        }
    }

    private static String readAll(BufferedReader lines) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            all.append(line).append('\n');
        }
        return all.toString();
    }

    /** The exception and its causes ("IOException: closed, caused by EOFException: …"). */
    static String describe(Throwable e) {
        StringBuilder what =
                new StringBuilder(e.getClass().getSimpleName() + ": " + e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            what.append(", caused by ").append(c.getClass().getSimpleName()).append(": ");
            what.append(c.getMessage());
        }
        return what.toString();
    }

    /** "HTTP 429: the queue is full", from an OpenAI error body when there is one. */
    static String errorMessage(int status, String body) {
        return "HTTP " + status + ": " + errorField(body).orElse(body.strip());
    }

    /** The {@code error.message} of an OpenAI error object, if {@code json} is one. */
    static Optional<String> errorField(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (e.isJsonObject() && e.getAsJsonObject().has("error")) {
                JsonElement error = e.getAsJsonObject().get("error");
                return Optional.of(
                        error.isJsonObject() && error.getAsJsonObject().has("message")
                                ? error.getAsJsonObject().get("message").getAsString()
                                : error.toString());
            }
        } catch (RuntimeException notJson) {
            // not JSON: no error object
        }
        return Optional.empty();
    }

    /** What one request has seen so far. */
    private static final class Reader {
        final long sent = System.nanoTime();
        long headersAt = -1;
        int status = -1;
        java.net.http.HttpHeaders headers;
        final List<Long> tokens = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        boolean done;
        int completionTokens = -1;

        void headers(HttpResponse<?> response) {
            headersAt = System.nanoTime();
            status = response.statusCode();
            headers = response.headers();
        }

        /** Reads events until {@code [DONE]}, an error event, or the end of the stream. */
        StreamedCompletion events(BufferedReader lines, Watchdog watchdog) throws IOException {
            ServerSentEvents sse = new ServerSentEvents();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                watchdog.activity();
                Optional<String> event = sse.line(line);
                if (event.isEmpty()) {
                    continue;
                }
                if (event.get().equals("[DONE]")) {
                    done = true;
                    StreamedCompletion result = end(null);
                    // Read on to the body's end (the chunked terminator): a connection closed
                    // with bytes unread must not go back to the pool for the next request.
                    while (lines.readLine() != null) {
                        watchdog.activity();
                    }
                    return result;
                }
                Optional<String> error = errorField(event.get());
                if (error.isPresent()) {
                    return end("error event: " + error.get());
                }
                JsonObject chunk = JsonParser.parseString(event.get()).getAsJsonObject();
                if (choices(chunk)) {
                    tokens.add(System.nanoTime());
                }
            }
            return end("the stream ended without data: [DONE]");
        }

        /**
         * Appends the first choice's text and notes the usage; whether the object carried text (a
         * chunk with only a finish reason or the usage is no token).
         */
        boolean choices(JsonObject json) {
            JsonElement usage = json.get("usage");
            if (usage != null && usage.isJsonObject()) {
                completionTokens = usage.getAsJsonObject().get("completion_tokens").getAsInt();
            }
            if (!json.has("choices") || json.getAsJsonArray("choices").isEmpty()) {
                return false;
            }
            JsonObject choice = json.getAsJsonArray("choices").get(0).getAsJsonObject();
            JsonElement piece = choice.get("text");
            if (piece == null || piece.isJsonNull() || piece.getAsString().isEmpty()) {
                return false;
            }
            text.append(piece.getAsString());
            return true;
        }

        /** The outcome: {@code error} null when the request succeeded. */
        StreamedCompletion end(String error) {
            return new StreamedCompletion(
                    sent,
                    headersAt,
                    status,
                    headers,
                    tokens,
                    text.toString(),
                    done,
                    completionTokens,
                    error,
                    System.nanoTime());
        }
    }
}
