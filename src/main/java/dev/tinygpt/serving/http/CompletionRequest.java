package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.tinygpt.serving.CompletionSettings;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code /v1/completions} or {@code /v1/chat/completions} body, read and checked: the prompts as
 * token ids, the settings, and how to answer (streamed or not).
 *
 * @param prompts one or more prompts, token ids
 * @param stream answer with server-sent events
 * @param includeUsage a streamed answer ends with a usage chunk ({@code stream_options})
 * @param chat the chat shape ({@code chat.completion}) rather than {@code text_completion}
 */
record CompletionRequest(
        List<int[]> prompts,
        CompletionSettings settings,
        boolean stream,
        boolean includeUsage,
        boolean chat) {

    /** OpenAI's default {@code max_tokens} for completions. */
    static final int DEFAULT_MAX_TOKENS = 16;

    /** What a request needs of the model. */
    record Model(String name, Tokenizer tokenizer, int contextLength, ChatTemplate chatTemplate) {}

    /** OpenAI fields this server does not implement: refused by name, never ignored. */
    private static final List<String> UNSUPPORTED_COMPLETION = List.of("suffix", "logit_bias");

    private static final List<String> UNSUPPORTED_CHAT =
            List.of("logit_bias", "tools", "tool_choice", "functions", "function_call", "audio");

    static CompletionRequest completion(RequestFields f, Model model) {
        checkModel(f, model);
        refuse(f, UNSUPPORTED_COMPLETION);
        if (f.integer("best_of", 1) != 1 && f.integer("best_of", 1) != f.integer("n", 1)) {
            throw ApiError.invalid("best_of", "best_of is not supported: leave it out or equal n");
        }
        List<int[]> prompts = prompts(f.get("prompt"), model.tokenizer());
        CompletionSettings.Builder b = CompletionSettings.builder();
        common(f, b, DEFAULT_MAX_TOKENS);
        b.echo(f.bool("echo", false));
        int logprobs = f.integer("logprobs", -1);
        if (f.has("logprobs") && logprobs < 0) {
            throw ApiError.invalid("logprobs", "logprobs must be ≥ 0, got " + logprobs);
        }
        b.logprobs(logprobs);
        return finish(f, prompts, b, false);
    }

    static CompletionRequest chat(RequestFields f, Model model) {
        checkModel(f, model);
        refuse(f, UNSUPPORTED_CHAT);
        RequestFields format = f.object("response_format");
        if (format != null && !"text".equals(format.string("type", "text"))) {
            throw ApiError.invalid(
                    "response_format", "only response_format {\"type\": \"text\"} is supported");
        }
        String text = chatText(f, model);
        int[] prompt = encode(requireTokenizer(model.tokenizer()), text, "messages");
        CompletionSettings.Builder b = CompletionSettings.builder();
        // OpenAI's chat default: as many tokens as the context has room for.
        common(f, b, Math.max(0, model.contextLength() - prompt.length));
        boolean logprobs = f.bool("logprobs", false);
        int top = f.integer("top_logprobs", 0);
        if (top != 0 && !logprobs) {
            throw ApiError.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        }
        b.logprobs(logprobs ? top : -1);
        return finish(f, List.of(prompt), b, true);
    }

    private static CompletionRequest finish(
            RequestFields f, List<int[]> prompts, CompletionSettings.Builder b, boolean chat) {
        boolean stream = f.bool("stream", false);
        RequestFields options = f.object("stream_options");
        boolean usage = options != null && options.bool("include_usage", false);
        if (options != null && !stream) {
            throw ApiError.invalid("stream_options", "stream_options needs stream: true");
        }
        return new CompletionRequest(prompts, b.build(), stream, usage, chat);
    }

    /** The request's {@code messages} rendered by the model's chat template: a 400 without one. */
    static String chatText(RequestFields f, Model model) {
        if (model.chatTemplate() == null) {
            throw ApiError.invalid(
                    null,
                    "the model '"
                            + model.name()
                            + "' has no chat template (tokenizer_config.json has no"
                            + " chat_template): use /v1/completions");
        }
        return model.chatTemplate().render(f.array("messages"));
    }

    /** The fields both endpoints share. */
    private static void common(RequestFields f, CompletionSettings.Builder b, int maxTokens) {
        int most = f.integer("max_tokens", maxTokens);
        if (f.has("max_completion_tokens")) { // OpenAI's newer name: one value, never two
            int completion = f.integer("max_completion_tokens", maxTokens);
            if (f.has("max_tokens") && completion != most) {
                throw ApiError.invalid(
                        "max_completion_tokens",
                        "max_tokens ("
                                + most
                                + ") and max_completion_tokens ("
                                + completion
                                + ") disagree: send one of them");
            }
            most = completion;
        }
        b.maxTokens(most)
                .temperature(f.number("temperature", 1f))
                .topP(f.number("top_p", 1f))
                .topK(f.integer("top_k", 0))
                .repetitionPenalty(f.number("repetition_penalty", 1f))
                .presencePenalty(f.number("presence_penalty", 0f))
                .frequencyPenalty(f.number("frequency_penalty", 0f))
                .minTokens(f.integer("min_tokens", 0))
                .stop(f.strings("stop"))
                .seed(f.longValue("seed", ThreadLocalRandom.current().nextLong()))
                .n(f.integer("n", 1));
        f.string("user", null); // OpenAI's end-user id: checked, not used
    }

    private static void refuse(RequestFields f, List<String> unsupported) {
        for (String name : unsupported) {
            JsonElement e = f.get(name);
            boolean empty =
                    e == null
                            || (e.isJsonObject() && e.getAsJsonObject().isEmpty())
                            || (e.isJsonArray() && e.getAsJsonArray().isEmpty());
            if (!empty) {
                throw ApiError.invalid(name, name + " is not supported by this server");
            }
        }
    }

    /** The request names this server's model or none: 404 {@code model_not_found} otherwise. */
    static void checkModel(RequestFields f, Model model) {
        String name = f.string("model", null);
        if (name != null && !name.equals(model.name())) {
            throw ApiError.modelNotFound(name);
        }
    }

    /** OpenAI's four prompt shapes: a string, strings, token ids, arrays of token ids. */
    static List<int[]> prompts(JsonElement prompt, Tokenizer tokenizer) {
        if (prompt == null) {
            throw ApiError.invalid("prompt", "prompt is required");
        }
        if (RequestFields.isString(prompt)) {
            return List.of(encode(requireTokenizer(tokenizer), prompt.getAsString(), "prompt"));
        }
        if (!prompt.isJsonArray() || prompt.getAsJsonArray().isEmpty()) {
            throw badPrompt();
        }
        JsonArray array = prompt.getAsJsonArray();
        JsonElement first = array.get(0);
        List<int[]> out = new ArrayList<>();
        if (RequestFields.isNumber(first)) {
            out.add(ids(array));
        } else {
            for (JsonElement item : array) {
                if (RequestFields.isString(item)) {
                    out.add(encode(requireTokenizer(tokenizer), item.getAsString(), "prompt"));
                } else if (item.isJsonArray()) {
                    out.add(ids(item.getAsJsonArray()));
                } else {
                    throw badPrompt();
                }
            }
        }
        return out;
    }

    private static int[] ids(JsonArray array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!RequestFields.isNumber(array.get(i))) {
                throw badPrompt();
            }
            ids[i] = RequestFields.integer(array.get(i), "prompt");
        }
        return ids;
    }

    private static ApiError badPrompt() {
        return ApiError.invalid(
                "prompt",
                "prompt must be a string, an array of strings, an array of token ids or an array"
                        + " of arrays of token ids");
    }

    static Tokenizer requireTokenizer(Tokenizer tokenizer) {
        if (tokenizer == null) {
            throw ApiError.invalid(
                    "prompt", "this model has no tokenizer: send the prompt as token ids");
        }
        return tokenizer;
    }

    static int[] encode(Tokenizer tokenizer, String text, String param) {
        try {
            return tokenizer.encode(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(param, e.getMessage());
        }
    }
}
