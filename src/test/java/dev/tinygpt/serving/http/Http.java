package dev.tinygpt.serving.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A java.net.http client for a test server, and the checks every response shape shares. */
final class Http {
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String key;

    Http(CompletionServer server) {
        this(server, null);
    }

    Http(CompletionServer server, String key) {
        this.base = "http://127.0.0.1:" + server.port();
        this.key = key;
    }

    /** A model of 20 words and a 4,096-token context, fast enough per step for long requests. */
    static LanguageModel longContextModel(long seed) {
        GptConfig config =
                GptConfig.exercise().toBuilder()
                        .contextLength(4096)
                        .layers(1)
                        .dModel(16)
                        .mlpHidden(32)
                        .build();
        return LanguageModel.create(config, seed, WordTokenizer.exercise());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A 200 JSON response's object. */
    static JsonObject ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    /**
     * An error response: the status, OpenAI's four fields, the param and code expected, a message
     * holding {@code words}, and nothing of a stack trace.
     */
    static JsonObject error(
            HttpResponse<String> r, int status, String param, String code, String... words) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonObject error =
                JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
        for (String field : List.of("message", "type", "param", "code")) {
            assertTrue(error.has(field), field + " missing: " + r.body());
        }
        assertEquals(
                param, error.get("param").isJsonNull() ? null : error.get("param").getAsString());
        assertEquals(code, error.get("code").isJsonNull() ? null : error.get("code").getAsString());
        for (String word : words) {
            assertTrue(error.get("message").getAsString().contains(word), word + " in " + r.body());
        }
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
        return error;
    }

    /**
     * A stream's events, checked for SSE framing: each event one {@code data: } line and a blank
     * line (comments allowed), the last {@code data: [DONE]}. Returns the JSON chunks before it.
     */
    static List<JsonObject> events(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                r.headers().toString());
        String body = r.body();
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        List<JsonObject> chunks = new ArrayList<>();
        String[] events = body.substring(0, body.length() - 2).split("\n\n", -1);
        for (int i = 0; i < events.length; i++) {
            String event = events[i];
            if (event.startsWith(":")) {
                continue;
            }
            assertTrue(event.startsWith("data: ") && !event.contains("\n"), event);
            String data = event.substring("data: ".length());
            if (i == events.length - 1) {
                assertEquals("[DONE]", data);
            } else {
                chunks.add(JsonParser.parseString(data).getAsJsonObject());
            }
        }
        return chunks;
    }
}
