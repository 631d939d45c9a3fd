package dev.tinygpt.serving.http;

import static dev.tinygpt.serving.http.Http.error;
import static dev.tinygpt.serving.http.Http.events;
import static dev.tinygpt.serving.http.Http.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Auth, loading, the bounded queue, client disconnects, batching through HTTP and the drain. */
class ServerLimitsTest {

    @Test
    void theApiKeyIsRequiredOnTheApiOnly() throws Exception {
        try (LanguageModel lm = exercise();
                CompletionServer server =
                        CompletionServer.start(
                                lm, ServerOptions.builder("m").port(0).apiKey("s3cret").build())) {
            Http none = new Http(server);
            error(none.get("/v1/models"), 401, null, "invalid_api_key", "Authorization: Bearer");
            error(
                    none.post("/v1/completions", "{\"prompt\":\"the\"}"),
                    401,
                    null,
                    "invalid_api_key");
            error(none.post("/tokenize", "{\"prompt\":\"the\"}"), 401, null, "invalid_api_key");
            error(new Http(server, "s3cret!").get("/v1/models"), 401, null, "invalid_api_key");
            error(new Http(server, "s3cre").get("/v1/models"), 401, null, "invalid_api_key");
            ok(new Http(server, "s3cret").get("/v1/models"));
            ok(new Http(server, "s3cret").post("/v1/completions", "{\"prompt\":\"the\"}"));
            String messages = "{\"messages\":[{\"role\":\"user\",\"content\":\"the\"}]}";
            for (String path : List.of("/v1/chat/completions", "/tokenize")) {
                // This model has no chat template: both routes refuse messages the same way.
                error(
                        new Http(server, "s3cret").post(path, messages),
                        400,
                        null,
                        null,
                        "has no chat template",
                        "use /v1/completions");
            }
            assertEquals(200, none.get("/health").statusCode());
            assertEquals(200, none.get("/").statusCode());
            assertEquals(200, none.get("/metrics").statusCode());
        }
    }

    @Test
    void everythingIs503UntilTheModelIsReady() throws Exception {
        try (LanguageModel lm = exercise();
                CompletionServer server =
                        CompletionServer.listen(ServerOptions.builder("m").port(0).build())) {
            Http http = new Http(server);
            error(http.get("/health"), 503, null, "service_unavailable", "loading");
            error(
                    http.post("/v1/completions", "{\"prompt\":\"the\"}"),
                    503,
                    null,
                    "service_unavailable",
                    "loading");
            assertEquals(200, http.get("/").statusCode()); // the page loads meanwhile
            server.ready(lm);
            assertEquals(200, http.get("/health").statusCode());
            ok(http.post("/v1/completions", "{\"prompt\":\"the\"}"));
        }
    }

    @Test
    void aFullQueueIs429AndADisconnectFreesTheRow() throws Exception {
        try (LanguageModel lm = Http.longContextModel(3);
                CompletionServer server =
                        CompletionServer.start(
                                lm,
                                ServerOptions.builder("m")
                                        .port(0)
                                        .maxBatch(1)
                                        .maxQueue(0)
                                        .build())) {
            Http http = new Http(server);
            // The same 4,000 tokens alone, whole, say how long the stream would still take (its
            // own chunks cannot: those already buffered read in microseconds).
            long started = System.nanoTime();
            ok(http.post("/v1/completions", "{\"prompt\":\"the\",\"max_tokens\":4000}"));
            double whole = (System.nanoTime() - started) / 1e9;
            double secondsLeft;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                BufferedReader in = streamRaw(socket, server.port(), 4000);
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                    // the status line and headers, then the first chunk
                }
                assertTrue(line != null && line.startsWith("data: {"), String.valueOf(line));
                HttpResponse<String> refused =
                        http.post("/v1/completions", "{\"prompt\":\"the\",\"max_tokens\":2}");
                error(refused, 429, null, "queue_full", "busy");
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
                int chunks = 1;
                while (chunks < 101 && (line = in.readLine()) != null) {
                    chunks += line.startsWith("data: {") ? 1 : 0;
                }
                secondsLeft = whole * (4000 - chunks) / 4000;
            } // the client goes away mid-stream
            long gone = System.nanoTime();
            while (gauge(http, "tinygpt_running_rows") > 0 && System.nanoTime() - gone < 20e9) {
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - gone) / 1e9;
            assertEquals(0, gauge(http, "tinygpt_running_rows"), "the row was not freed");
            assertTrue(
                    seconds < secondsLeft / 4,
                    "the row left after "
                            + seconds
                            + " s; the request alone would have taken "
                            + secondsLeft
                            + " s more");
            ok(http.post("/v1/completions", "{\"prompt\":\"the\",\"max_tokens\":2}"));
            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("tinygpt_requests_total{status=\"429\"} 1.0"), metrics);
        }
    }

    @Test
    void aClientLeavingANonStreamedRequestFreesItsRow() throws Exception {
        try (LanguageModel lm = Http.longContextModel(5);
                CompletionServer server =
                        CompletionServer.start(
                                lm, ServerOptions.builder("m").port(0).maxBatch(1).build())) {
            Http http = new Http(server);
            String body = "{\"prompt\":\"the\",\"max_tokens\":4000,\"temperature\":0}";
            long start = System.nanoTime();
            ok(http.post("/v1/completions", body));
            double whole = (System.nanoTime() - start) / 1e9;
            double gone;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                send(socket, server.port(), body);
                while (gauge(http, "tinygpt_running_rows") == 0) {
                    Thread.sleep(2);
                }
                gone = System.nanoTime();
            } // the client goes away while its completion is generated
            while (gauge(http, "tinygpt_running_rows") > 0 && System.nanoTime() - gone < 60e9) {
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - gone) / 1e9;
            assertEquals(0, gauge(http, "tinygpt_running_rows"), "the row was not freed");
            assertTrue(
                    // Without the probe the row would run to its end: about the whole request
                    // again. Half of it leaves room for the probe's interval on a quiet machine,
                    // where the whole request takes only about half a second.
                    seconds < whole / 2,
                    "the row left "
                            + seconds
                            + " s after the client; the whole request took "
                            + whole);
            ok(http.post("/v1/completions", "{\"prompt\":\"the\",\"max_tokens\":2}"));
        }
    }

    @Test
    void batchedRequestsGetWhatTheyGetAlone() throws Exception {
        try (LanguageModel lm = exercise();
                CompletionServer server =
                        CompletionServer.start(
                                lm, ServerOptions.builder("m").port(0).maxBatch(4).build())) {
            Http http = new Http(server);
            List<String> bodies = new ArrayList<>();
            String[] prompts = {"the cat", "a red bird sang", "the dog ran under the tree", "it"};
            for (int i = 0; i < 10; i++) {
                bodies.add(
                        "{\"prompt\":\"%s\",\"max_tokens\":%d,\"seed\":%d,\"temperature\":%s,\"top_p\":0.9,\"stream\":%s,\"frequency_penalty\":0.4}"
                                .formatted(
                                        prompts[i % prompts.length],
                                        4 + 3 * i % 20,
                                        100 + i,
                                        i % 3 == 0 ? "0" : "1.1",
                                        i % 2 == 0));
            }
            List<String> alone = new ArrayList<>();
            for (String body : bodies) {
                alone.add(text(http.post("/v1/completions", body), body));
            }
            ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
            try {
                List<Future<String>> together = new ArrayList<>();
                for (String body : bodies) {
                    together.add(pool.submit(() -> text(http.post("/v1/completions", body), body)));
                }
                for (int i = 0; i < bodies.size(); i++) {
                    assertEquals(alone.get(i), together.get(i).get(), bodies.get(i));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aDrainFinishesTheRunningStreamAndRefusesNewWork() throws Exception {
        try (LanguageModel lm = Http.longContextModel(4);
                CompletionServer server =
                        CompletionServer.start(lm, ServerOptions.builder("m").port(0).build())) {
            Http http = new Http(server);
            CompletableFuture<HttpResponse<String>> stream =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return http.post(
                                            "/v1/completions",
                                            "{\"prompt\":\"the\",\"max_tokens\":3000,"
                                                    + "\"stream\":true}");
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            while (gauge(http, "tinygpt_running_rows") == 0) {
                Thread.sleep(5);
            }
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(server::drain);
            HttpResponse<String> health;
            do {
                health = http.get("/health"); // 200 until the drain has begun
            } while (health.statusCode() == 200 && !drained.isDone());
            error(health, 503, null, "service_unavailable", "shutting down");
            error(
                    http.post("/v1/completions", "{\"prompt\":\"the\"}"),
                    503,
                    null,
                    "service_unavailable",
                    "shutting down");
            assertTrue(drained.get(), "the drain did not finish the running request");
            List<JsonObject> chunks = events(stream.get());
            JsonObject last = chunks.get(chunks.size() - 1);
            assertEquals(
                    "length",
                    last.getAsJsonArray("choices")
                            .get(0)
                            .getAsJsonObject()
                            .get("finish_reason")
                            .getAsString());
        }
    }

    /** Sends a streaming completion on a raw socket, for a client that can vanish mid-stream. */
    private static BufferedReader streamRaw(Socket socket, int port, int maxTokens)
            throws Exception {
        send(socket, port, "{\"prompt\":\"the\",\"max_tokens\":" + maxTokens + ",\"stream\":true}");
        return new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** POSTs a completion on a raw socket. */
    private static void send(Socket socket, int port, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(
                ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:"
                                + port
                                + "\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** A metric's value (the unlabelled one) from /metrics. */
    static double gauge(Http http, String name) throws Exception {
        Matcher m =
                Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(http.get("/metrics").body());
        assertTrue(m.find(), name);
        return Double.parseDouble(m.group(1));
    }

    private static String text(HttpResponse<String> r, String body) {
        if (body.contains("\"stream\":true")) {
            StringBuilder s = new StringBuilder();
            for (JsonObject chunk : events(r)) {
                s.append(
                        chunk.getAsJsonArray("choices")
                                .get(0)
                                .getAsJsonObject()
                                .get("text")
                                .getAsString());
            }
            return s.toString();
        }
        return ok(r).getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
    }

    private static LanguageModel exercise() {
        return LanguageModel.create(GptConfig.exercise(), 9, WordTokenizer.exercise());
    }
}
