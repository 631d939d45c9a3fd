package dev.tinygpt.serving.http;

import static dev.tinygpt.serving.http.Http.error;
import static dev.tinygpt.serving.http.Http.events;
import static dev.tinygpt.serving.http.Http.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI's wire format, request by request, against one embedded server on a tiny model. */
class CompletionServerTest {
    static final String TEMPLATE =
            "{% if messages[0]['role'] != 'user' %}{{ raise_exception('the first message must"
                    + " be the user') }}{% endif %}{% for m in messages %}{{ m['content'] }}"
                    + " {% endfor %}{% if add_generation_prompt %}then{% endif %}";

    private static LanguageModel lm;
    private static CompletionServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        lm = LanguageModel.create(GptConfig.exercise(), 5, WordTokenizer.exercise());
        server =
                CompletionServer.start(
                        lm,
                        ServerOptions.builder("tiny")
                                .port(0)
                                .maxBatch(4)
                                .maxQueue(32)
                                .maxBodyBytes(4096)
                                .chatTemplate(new ChatTemplate(TEMPLATE, "", ""))
                                .build());
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    @Test
    void aCompletionHasOpenAisShape() throws Exception {
        JsonObject o =
                ok(
                        http.post(
                                "/v1/completions",
                                "{\"model\":\"tiny\",\"prompt\":\"the cat\",\"max_tokens\":5,"
                                        + "\"temperature\":0}"));
        assertTrue(o.get("id").getAsString().startsWith("cmpl-"), o.toString());
        assertEquals("text_completion", o.get("object").getAsString());
        assertTrue(o.get("created").getAsLong() > 1_600_000_000L);
        assertEquals("tiny", o.get("model").getAsString());
        JsonArray choices = o.getAsJsonArray("choices");
        assertEquals(1, choices.size());
        JsonObject c = choices.get(0).getAsJsonObject();
        assertEquals(0, c.get("index").getAsInt());
        assertTrue(c.get("logprobs").isJsonNull());
        assertEquals("length", c.get("finish_reason").getAsString());
        assertEquals(5, c.get("text").getAsString().strip().split(" ").length, c.toString());
        JsonObject usage = o.getAsJsonObject("usage");
        assertEquals(2, usage.get("prompt_tokens").getAsInt());
        assertEquals(5, usage.get("completion_tokens").getAsInt());
        assertEquals(7, usage.get("total_tokens").getAsInt());
    }

    @Test
    void everyPromptShapeGivesItsChoicesInOrder() throws Exception {
        String[] prompts = {"\"the cat\"", "[\"the cat\",\"a dog\"]", "[0,2]", "[[0,2],[1,3]]"};
        int[] counts = {1, 2, 1, 2};
        String alone = text(completion("\"the cat\"", 0, 1));
        for (int i = 0; i < prompts.length; i++) {
            JsonObject o = completion(prompts[i], 0, 2);
            JsonArray choices = o.getAsJsonArray("choices");
            assertEquals(counts[i] * 2, choices.size(), prompts[i]);
            for (int c = 0; c < choices.size(); c++) {
                assertEquals(c, choices.get(c).getAsJsonObject().get("index").getAsInt());
            }
            // "the cat" is ids 0, 2: greedy gives every shape the same first text.
            assertEquals(alone, choices.get(0).getAsJsonObject().get("text").getAsString());
        }
    }

    @Test
    void streamedTextEqualsTheWholeResponse() throws Exception {
        String body =
                "{\"prompt\":[\"the cat sat\",\"a red bird\"],\"max_tokens\":12,\"n\":2,"
                        + "\"seed\":42,\"temperature\":1.3,\"top_k\":8,\"stop\":[\"slept\"],"
                        + "\"presence_penalty\":0.5,\"frequency_penalty\":0.3,"
                        + "\"repetition_penalty\":1.2,\"min_tokens\":2,\"user\":\"u1\","
                        + "\"echo\":true,\"logprobs\":2%s}";
        JsonObject whole = ok(http.post("/v1/completions", body.formatted("")));
        List<JsonObject> chunks =
                events(
                        http.post(
                                "/v1/completions",
                                body.formatted(
                                        ",\"stream\":true,"
                                                + "\"stream_options\":{\"include_usage\":true}")));
        Map<Integer, StringBuilder> texts = new TreeMap<>();
        Map<Integer, String> reasons = new TreeMap<>();
        Map<Integer, JsonObject> logprobs = new TreeMap<>();
        JsonObject last = chunks.get(chunks.size() - 1);
        for (JsonObject chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("text_completion", chunk.get("object").getAsString());
            assertTrue(chunk.get("usage").isJsonNull());
            JsonObject c = chunk.getAsJsonArray("choices").get(0).getAsJsonObject();
            int index = c.get("index").getAsInt();
            texts.computeIfAbsent(index, k -> new StringBuilder())
                    .append(c.get("text").getAsString());
            if (!c.get("finish_reason").isJsonNull()) {
                reasons.put(index, c.get("finish_reason").getAsString());
            }
            if (!c.get("logprobs").isJsonNull()) {
                JsonObject all = logprobs.computeIfAbsent(index, k -> new JsonObject());
                for (var field : c.getAsJsonObject("logprobs").entrySet()) {
                    if (!all.has(field.getKey())) {
                        all.add(field.getKey(), new JsonArray());
                    }
                    all.getAsJsonArray(field.getKey()).addAll(field.getValue().getAsJsonArray());
                }
            }
        }
        JsonArray choices = whole.getAsJsonArray("choices");
        assertEquals(4, texts.size());
        for (int i = 0; i < 4; i++) {
            JsonObject c = choices.get(i).getAsJsonObject();
            assertEquals(c.get("text").getAsString(), texts.get(i).toString(), "choice " + i);
            assertEquals(c.get("finish_reason").getAsString(), reasons.get(i));
            assertEquals(c.get("logprobs"), logprobs.get(i), "choice " + i);
            assertTrue(texts.get(i).toString().startsWith(i < 2 ? "the cat sat" : "a red bird"));
        }
        assertEquals(0, last.getAsJsonArray("choices").size());
        assertEquals(whole.get("usage"), last.get("usage"));
    }

    @Test
    void echoAndLogprobsCoverThePromptAndTheCompletion() throws Exception {
        JsonObject o =
                ok(
                        http.post(
                                "/v1/completions",
                                "{\"prompt\":\"the big dog\",\"max_tokens\":4,\"echo\":true,"
                                        + "\"logprobs\":3,\"temperature\":0}"));
        JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertTrue(c.get("text").getAsString().startsWith("the big dog"), c.toString());
        JsonObject lp = c.getAsJsonObject("logprobs");
        JsonArray tokens = lp.getAsJsonArray("tokens");
        assertEquals(3 + 4, tokens.size(), lp.toString());
        assertEquals("the", tokens.get(0).getAsString());
        assertTrue(lp.getAsJsonArray("token_logprobs").get(0).isJsonNull());
        assertTrue(lp.getAsJsonArray("top_logprobs").get(0).isJsonNull());
        for (int i = 1; i < tokens.size(); i++) {
            double logprob = lp.getAsJsonArray("token_logprobs").get(i).getAsDouble();
            assertTrue(logprob <= 0, lp.toString());
            JsonObject top = lp.getAsJsonArray("top_logprobs").get(i).getAsJsonObject();
            assertEquals(3, top.size(), top.toString());
        }
        // Greedy: each completion token is its position's most likely one.
        for (int i = 3; i < tokens.size(); i++) {
            JsonObject top = lp.getAsJsonArray("top_logprobs").get(i).getAsJsonObject();
            double best =
                    top.entrySet().stream()
                            .mapToDouble(e -> e.getValue().getAsDouble())
                            .max()
                            .orElseThrow();
            assertEquals(best, lp.getAsJsonArray("token_logprobs").get(i).getAsDouble(), 1e-6);
        }
        JsonArray offsets = lp.getAsJsonArray("text_offset");
        assertEquals(0, offsets.get(0).getAsInt());
        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(offsets.get(i).getAsInt() > offsets.get(i - 1).getAsInt(), lp.toString());
        }
    }

    @Test
    void chatCompletionsRenderTheTemplate() throws Exception {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"the cat sat\"}]";
        JsonObject o =
                ok(
                        http.post(
                                "/v1/chat/completions",
                                "{" + messages + ",\"max_tokens\":6,\"temperature\":0}"));
        assertTrue(o.get("id").getAsString().startsWith("chatcmpl-"));
        assertEquals("chat.completion", o.get("object").getAsString());
        JsonObject c = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("assistant", c.getAsJsonObject("message").get("role").getAsString());
        String content = c.getAsJsonObject("message").get("content").getAsString();
        // The template renders "the cat sat then": 4 prompt tokens.
        assertEquals(4, o.getAsJsonObject("usage").get("prompt_tokens").getAsInt());
        assertEquals(text(completion("\"the cat sat then\"", 0, 1)), content);

        List<JsonObject> chunks =
                events(
                        http.post(
                                "/v1/chat/completions",
                                "{"
                                        + messages
                                        + ",\"max_tokens\":6,\"temperature\":0,"
                                        + "\"stream\":true}"));
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            JsonObject chunk = chunks.get(i);
            assertEquals("chat.completion.chunk", chunk.get("object").getAsString());
            JsonObject delta =
                    chunk.getAsJsonArray("choices")
                            .get(0)
                            .getAsJsonObject()
                            .getAsJsonObject("delta");
            assertEquals(i == 0, delta.has("role"), chunk.toString());
            if (delta.has("content")) {
                streamed.append(delta.get("content").getAsString());
            }
        }
        assertEquals(content, streamed.toString());

        error(
                http.post(
                        "/v1/chat/completions",
                        "{\"messages\":[{\"role\":\"system\",\"content\":\"the\"}]}"),
                400,
                "messages",
                null,
                "the first message must be the user");
        JsonObject withLogprobs =
                ok(http.post(
                                "/v1/chat/completions",
                                "{"
                                        + messages
                                        + ",\"max_completion_tokens\":3,"
                                        + "\"logprobs\":true,\"top_logprobs\":2}"))
                        .getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject();
        JsonArray entries = withLogprobs.getAsJsonObject("logprobs").getAsJsonArray("content");
        assertEquals(3, entries.size(), entries.toString());
        for (JsonElement e : entries) {
            JsonObject entry = e.getAsJsonObject();
            assertTrue(entry.get("logprob").getAsDouble() <= 0);
            assertEquals(2, entry.getAsJsonArray("top_logprobs").size());
            assertTrue(entry.get("bytes").isJsonArray());
        }
        error(
                http.post("/v1/chat/completions", "{" + messages + ",\"tools\":[{}]}"),
                400,
                "tools",
                null,
                "tools is not supported");
        error(
                http.post(
                        "/v1/chat/completions",
                        "{" + messages + ",\"response_format\":{\"type\":\"json_object\"}}"),
                400,
                "response_format",
                null,
                "only response_format");
        error(
                http.post("/v1/chat/completions", "{\"messages\":[]}"),
                400,
                "messages",
                null,
                "messages must be a non-empty array");
    }

    @Test
    void modelsListsTheOneModel() throws Exception {
        JsonObject list = ok(http.get("/v1/models"));
        assertEquals("list", list.get("object").getAsString());
        JsonObject m = list.getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals("tiny", m.get("id").getAsString());
        assertEquals("model", m.get("object").getAsString());
        assertEquals("tiny", ok(http.get("/v1/models/tiny")).get("id").getAsString());
        error(http.get("/v1/models/gpt-4"), 404, "model", "model_not_found", "gpt-4");
        error(
                http.post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"the\"}"),
                404,
                "model",
                "model_not_found",
                "'gpt-4' does not exist");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() throws Exception {
        JsonObject t = ok(http.post("/tokenize", "{\"prompt\":\"the cat sat\"}"));
        assertEquals("[0,2,5]", t.get("tokens").toString());
        assertEquals(3, t.get("count").getAsInt());
        assertEquals(32, t.get("max_model_len").getAsInt());
        JsonObject d = ok(http.post("/detokenize", "{\"tokens\":[0,2,5]}"));
        assertEquals("the cat sat", d.get("prompt").getAsString());
        error(
                http.post("/detokenize", "{\"tokens\":[0,20]}"),
                400,
                "tokens",
                null,
                "token id 20 at index 1",
                "0..19");
        error(
                http.post("/tokenize", "{\"prompt\":\"the unicorn\"}"),
                400,
                "prompt",
                null,
                "unicorn");
    }

    @Test
    void badRequestsAreOpenAiErrorsNamingTheField() throws Exception {
        bad("{\"prompt\":\"the\",\"temperature\":3}", "temperature", "[0, 2]", "3.0");
        bad("{\"prompt\":\"the\",\"max_tokens\":\"many\"}", "max_tokens", "must be an integer");
        bad("{\"prompt\":\"the\",\"max_tokens\":2.5}", "max_tokens", "must be an integer");
        bad(
                "{\"prompt\":\"the\",\"max_tokens\":2,\"max_completion_tokens\":3}",
                "max_completion_tokens",
                "disagree");
        bad("{\"prompt\":\"the\",\"top_p\":0}", "top_p", "(0, 1]");
        bad("{\"prompt\":\"the\",\"n\":0}", "n", "n must be ≥ 1");
        bad("{\"prompt\":\"the\",\"n\":5}", "n", "at most 4 rows");
        bad("{\"prompt\":\"the\",\"logprobs\":21}", "logprobs", "[0, 20]");
        bad("{\"prompt\":\"the\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop", "at most 4");
        bad("{\"prompt\":\"the\",\"stop\":7}", "stop", "a string or an array of strings");
        bad("{\"prompt\":\"the\",\"stream\":\"yes\"}", "stream", "true or false");
        bad(
                "{\"prompt\":\"the\",\"stream_options\":{\"include_usage\":true}}",
                "stream_options",
                "needs stream: true");
        bad(
                "{\"prompt\":\"the\",\"min_tokens\":20,\"max_tokens\":5}",
                "min_tokens",
                "max_tokens = 5");
        bad("{\"max_tokens\":5}", "prompt", "prompt is required");
        bad("{\"prompt\":[]}", "prompt", "an array of token ids");
        bad("{\"prompt\":[1,\"a\"]}", "prompt", "an array of token ids");
        bad("{\"prompt\":\"the unicorn\"}", "prompt", "unicorn");
        bad("{\"prompt\":[3,20]}", "prompt", "token id 20", "0..19");
        bad(
                "{\"prompt\":\"the cat sat on the mat\",\"max_tokens\":30}",
                "max_tokens",
                "maximum context length is 32",
                "36",
                "6 in prompt 0",
                "30 in max_tokens");
        bad("{\"prompt\":\"the\",\"logit_bias\":{\"3\":5}}", "logit_bias", "not supported");
        bad("{\"prompt\":\"the\",\"suffix\":\"cat\"}", "suffix", "not supported");
        bad("{\"prompt\":\"the\",\"best_of\":3}", "best_of", "not supported");
        bad("{\"prompt\":\"the\"", null, "not valid JSON");
        bad("[1,2]", null, "must be a JSON object");
    }

    @Test
    void routesLimitsAndMethods() throws Exception {
        error(http.get("/v2/nothing"), 404, null, "not_found", "/v2/nothing");
        error(http.get("/v1/completions"), 404, null, "not_found");
        String big = "the ".repeat(1200);
        error(
                http.post("/v1/completions", "{\"prompt\":\"" + big + "\"}"),
                413,
                null,
                "request_too_large",
                "4096 bytes");
    }

    @Test
    void playgroundHealthAndMetricsAreServed() throws Exception {
        HttpResponse<String> page = http.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        for (String id :
                List.of(
                        "prompt",
                        "max-tokens",
                        "temperature",
                        "top-p",
                        "top-k",
                        "generate",
                        "stop",
                        "output",
                        "stats",
                        "error",
                        "api-key")) {
            assertTrue(page.body().contains("id=\"" + id + "\""), id);
        }
        assertTrue(page.body().contains("/v1/completions"));
        assertEquals("{\"status\":\"ok\"}", http.get("/health").body());

        completion("\"the cat\"", 0, 1);
        http.post("/v1/completions", "{\"prompt\":\"the\",\"temperature\":9}");
        String metrics = http.get("/metrics").body();
        for (String name :
                List.of(
                        "tinygpt_requests_total{status=\"200\"}",
                        "tinygpt_requests_total{status=\"400\"}",
                        "tinygpt_prompt_tokens_total",
                        "tinygpt_completion_tokens_total",
                        "tinygpt_queue_depth",
                        "tinygpt_running_rows",
                        "tinygpt_time_to_first_token_seconds_bucket",
                        "tinygpt_inter_token_latency_seconds_bucket",
                        "tinygpt_request_duration_seconds_count")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        // The page, health checks and scrapes are not API requests.
        double before = ServerLimitsTest.gauge(http, "tinygpt_requests_total\\{status=\"200\"\\}");
        http.get("/");
        http.get("/health");
        http.get("/metrics");
        assertEquals(
                before, ServerLimitsTest.gauge(http, "tinygpt_requests_total\\{status=\"200\"\\}"));
    }

    private static void bad(String body, String param, String... words) throws Exception {
        error(http.post("/v1/completions", body), 400, param, null, words);
    }

    private static JsonObject completion(String prompt, float temperature, int n) throws Exception {
        return ok(
                http.post(
                        "/v1/completions",
                        "{\"prompt\":"
                                + prompt
                                + ",\"max_tokens\":6,\"temperature\":"
                                + temperature
                                + ",\"n\":"
                                + n
                                + "}"));
    }

    private static String text(JsonObject completion) {
        List<String> texts = new ArrayList<>();
        for (JsonElement c : completion.getAsJsonArray("choices")) {
            texts.add(c.getAsJsonObject().get("text").getAsString());
        }
        return texts.get(0);
    }
}
