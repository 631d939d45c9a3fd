package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.serving.Scheduler;
import dev.tinygpt.tokenizer.Tokenizer;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API routes of a ready server: each reads its body, checks it, and answers in OpenAI's (or,
 * for tokenize and detokenize, vLLM's) shape.
 */
final class Endpoints {
    private final ServerOptions options;
    private final Scheduler scheduler;
    private final ServerMetrics metrics;
    private final CompletionRequest.Model model;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicInteger running = new AtomicInteger(); // completion calls in progress

    Endpoints(LanguageModel lm, ServerOptions options, Scheduler scheduler, ServerMetrics metrics) {
        this.options = options;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.model =
                new CompletionRequest.Model(
                        options.modelName(),
                        lm.tokenizer().orElse(null),
                        lm.config().contextLength(),
                        options.chatTemplate().orElse(null));
    }

    void models(Context ctx) {
        JsonObject list = new JsonObject();
        list.addProperty("object", "list");
        JsonArray data = new JsonArray();
        data.add(modelObject());
        list.add("data", data);
        json(ctx, list);
    }

    void model(Context ctx) {
        String name = ctx.pathParam("model");
        if (!name.equals(model.name())) {
            throw ApiError.modelNotFound(name);
        }
        json(ctx, modelObject());
    }

    private JsonObject modelObject() {
        JsonObject m = new JsonObject();
        m.addProperty("id", model.name());
        m.addProperty("object", "model");
        m.addProperty("created", created);
        m.addProperty("owned_by", "tinygpt");
        m.addProperty("max_model_len", model.contextLength());
        return m;
    }

    void completions(Context ctx) throws IOException, InterruptedException {
        CompletionRequest request = CompletionRequest.completion(body(ctx), model);
        run(ctx, request, "cmpl-");
    }

    void chat(Context ctx) throws IOException, InterruptedException {
        CompletionRequest request = CompletionRequest.chat(body(ctx), model);
        run(ctx, request, "chatcmpl-");
    }

    private void run(Context ctx, CompletionRequest request, String idPrefix)
            throws IOException, InterruptedException {
        String id = idPrefix + UUID.randomUUID().toString().replace("-", "");
        ResponseShape shape =
                new ResponseShape(
                        request.chat(), id, System.currentTimeMillis() / 1000, model.name());
        running.incrementAndGet();
        try {
            new CompletionCall(ctx, scheduler, metrics, request, shape).run();
        } finally {
            running.decrementAndGet();
        }
    }

    /**
     * Waits up to {@code timeout} for the completion calls in progress to write their last byte
     * (the scheduler may be done with a job while its thread still sends the events).
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** vLLM's {@code /tokenize}: {@code {"prompt": TEXT}} or chat {@code messages}. */
    void tokenize(Context ctx) throws IOException {
        RequestFields f = body(ctx);
        CompletionRequest.checkModel(f, model);
        Tokenizer tokenizer = CompletionRequest.requireTokenizer(model.tokenizer());
        String text =
                f.has("messages") ? CompletionRequest.chatText(f, model) : f.string("prompt", null);
        if (text == null) {
            throw ApiError.invalid("prompt", "prompt is required (a string)");
        }
        int[] ids = CompletionRequest.encode(tokenizer, text, "prompt");
        JsonObject o = new JsonObject();
        JsonArray tokens = new JsonArray();
        for (int id : ids) {
            tokens.add(id);
        }
        o.add("tokens", tokens);
        o.addProperty("count", ids.length);
        o.addProperty("max_model_len", model.contextLength());
        json(ctx, o);
    }

    /** vLLM's {@code /detokenize}: {@code {"tokens": [ids]}} → {@code {"prompt": TEXT}}. */
    void detokenize(Context ctx) throws IOException {
        RequestFields f = body(ctx);
        CompletionRequest.checkModel(f, model);
        Tokenizer tokenizer = CompletionRequest.requireTokenizer(model.tokenizer());
        JsonArray tokens = f.array("tokens");
        if (tokens == null) {
            throw ApiError.invalid("tokens", "tokens is required (an array of token ids)");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = RequestFields.integer(tokens.get(i), "tokens");
            if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
                throw ApiError.invalid(
                        "tokens",
                        "token id "
                                + ids[i]
                                + " at index "
                                + i
                                + " is out of range: the vocabulary has ids 0.."
                                + (tokenizer.vocabSize() - 1));
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("prompt", tokenizer.decode(ids));
        json(ctx, o);
    }

    /** The body as JSON fields, refused with 413 past the options' limit before it is read. */
    private RequestFields body(Context ctx) throws IOException {
        long limit = options.maxBodyBytes();
        if (ctx.req().getContentLengthLong() > limit) {
            throw ApiError.tooLarge(limit);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw ApiError.tooLarge(limit);
            }
            return RequestFields.parse(bytes);
        }
    }

    private static void json(Context ctx, JsonElement body) {
        ctx.contentType("application/json").result(body.toString());
    }
}
