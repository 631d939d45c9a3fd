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

/**
 * A client of an OpenAI-style {@code /v1/completions} endpoint (java.net.http, HTTP/1.1): a
 * streamed request read as server-sent events chunk by chunk, a whole one, and the server's {@code
 * /metrics}. Every outcome comes back as a {@link StreamedCompletion}, failures included, so a load
 * run counts its errors instead of stopping at the first.
 */
public final class CompletionClient {
    private final HttpClient http;
    private final URI base;

    /** A client of the server at {@code base} ({@code http://host:port}). */
    public CompletionClient(URI base) {
        this.base = base;
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
            try (BufferedReader lines =
                    new BufferedReader(
                            new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                    return reader.fail(errorMessage(response.statusCode(), readAll(lines)));
                }
                return reader.events(lines);
            }
        } catch (IOException | RuntimeException e) {
            return reader.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reader.fail("interrupted");
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
                return reader.fail(errorMessage(response.statusCode(), response.body()));
            }
            JsonObject json = JsonParser.parseString(response.body()).getAsJsonObject();
            reader.choices(json);
            reader.done = true;
            return reader.fail(null);
        } catch (IOException | RuntimeException e) {
            return reader.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reader.fail("interrupted");
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
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private static String readAll(BufferedReader lines) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            all.append(line).append('\n');
        }
        return all.toString();
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

        void headers(HttpResponse<?> response) {
            headersAt = System.nanoTime();
            status = response.statusCode();
            headers = response.headers();
        }

        /** Reads events until {@code [DONE]}, an error event, or the end of the stream. */
        StreamedCompletion events(BufferedReader lines) throws IOException {
            ServerSentEvents sse = new ServerSentEvents();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Optional<String> event = sse.line(line);
                if (event.isEmpty()) {
                    continue;
                }
                if (event.get().equals("[DONE]")) {
                    done = true;
                    return fail(null);
                }
                Optional<String> error = errorField(event.get());
                if (error.isPresent()) {
                    return fail("error event: " + error.get());
                }
                JsonObject chunk = JsonParser.parseString(event.get()).getAsJsonObject();
                if (choices(chunk)) {
                    tokens.add(System.nanoTime());
                }
            }
            return fail("the stream ended without data: [DONE]");
        }

        /** Appends the first choice's text; whether the object had a choice. */
        boolean choices(JsonObject json) {
            if (!json.has("choices") || json.getAsJsonArray("choices").isEmpty()) {
                return false;
            }
            JsonObject choice = json.getAsJsonArray("choices").get(0).getAsJsonObject();
            if (choice.has("text") && !choice.get("text").isJsonNull()) {
                text.append(choice.get("text").getAsString());
            }
            return true;
        }

        /** The outcome: {@code error} null when the request succeeded. */
        StreamedCompletion fail(String error) {
            return new StreamedCompletion(
                    sent,
                    headersAt,
                    status,
                    headers,
                    tokens,
                    text.toString(),
                    done,
                    error,
                    System.nanoTime());
        }
    }
}
