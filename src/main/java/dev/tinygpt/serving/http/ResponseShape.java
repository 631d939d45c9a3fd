package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.serving.TokenLogprob;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OpenAI's JSON for one response: {@code text_completion} (completions) or {@code chat.completion}
 * and {@code chat.completion.chunk} (chat), each with its {@code id}, {@code created} and {@code
 * model}; choices, stream chunks, usage and log-probabilities in each endpoint's shape.
 */
final class ResponseShape {
    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;

    ResponseShape(boolean chat, String id, long created, String model) {
        this.chat = chat;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** One choice's text as it grows, its log-probabilities and how it ended. */
    static final class ChoiceState {
        final StringBuilder text = new StringBuilder();
        final JsonArray logprobs = new JsonArray();
        String finishReason;
        int tokens;
        boolean started; // a chat stream sent its role
    }

    /** A whole, non-streamed response. */
    JsonObject response(List<ChoiceState> choices, boolean withLogprobs, JsonObject usage) {
        JsonObject o = header(chat ? "chat.completion" : "text_completion");
        JsonArray array = new JsonArray();
        for (int i = 0; i < choices.size(); i++) {
            ChoiceState c = choices.get(i);
            JsonObject choice = new JsonObject();
            choice.addProperty("index", i);
            if (chat) {
                JsonObject message = new JsonObject();
                message.addProperty("role", "assistant");
                message.addProperty("content", c.text.toString());
                choice.add("message", message);
            } else {
                choice.addProperty("text", c.text.toString());
            }
            choice.add("logprobs", withLogprobs ? logprobs(c.logprobs) : JsonNull.INSTANCE);
            choice.addProperty("finish_reason", c.finishReason);
            array.add(choice);
        }
        o.add("choices", array);
        o.add("usage", usage);
        return o;
    }

    /**
     * One stream chunk of one choice.
     *
     * @param logprobs the chunk's tokens' entries, or null
     * @param finishReason null until the choice's last chunk
     */
    JsonObject chunk(
            ChoiceState state,
            int index,
            String text,
            JsonArray logprobs,
            String finishReason,
            boolean withUsage) {
        JsonObject o = header(chat ? "chat.completion.chunk" : "text_completion");
        JsonObject choice = new JsonObject();
        choice.addProperty("index", index);
        if (chat) {
            JsonObject delta = new JsonObject();
            if (!state.started) {
                delta.addProperty("role", "assistant");
                state.started = true;
            }
            if (!text.isEmpty() || finishReason == null) {
                delta.addProperty("content", text);
            }
            choice.add("delta", delta);
        } else {
            choice.addProperty("text", text);
        }
        choice.add("logprobs", logprobs == null ? JsonNull.INSTANCE : logprobs(logprobs));
        choice.addProperty("finish_reason", finishReason);
        JsonArray choices = new JsonArray();
        choices.add(choice);
        o.add("choices", choices);
        if (withUsage) {
            o.add("usage", JsonNull.INSTANCE);
        }
        return o;
    }

    /** The last chunk of a stream with {@code include_usage}: no choices, the usage. */
    JsonObject usageChunk(JsonObject usage) {
        JsonObject o = header(chat ? "chat.completion.chunk" : "text_completion");
        o.add("choices", new JsonArray());
        o.add("usage", usage);
        return o;
    }

    static JsonObject usage(long prompt, long completion) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", prompt);
        u.addProperty("completion_tokens", completion);
        u.addProperty("total_tokens", prompt + completion);
        return u;
    }

    /** OpenAI's finish reasons: "length" when a limit ended it, "stop" otherwise. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH, CONTEXT_FULL -> "length";
            case EOS, STOP, NO_ALLOWED_TOKEN -> "stop";
        };
    }

    private JsonObject header(String object) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", object);
        o.addProperty("created", created);
        o.addProperty("model", model);
        return o;
    }

    /** Entries ({@link #entry}) in the endpoint's log-probabilities object. */
    private JsonElement logprobs(JsonArray entries) {
        if (chat) {
            JsonObject o = new JsonObject();
            o.add("content", entries);
            return o;
        }
        JsonObject o = new JsonObject();
        JsonArray tokens = new JsonArray();
        JsonArray tokenLogprobs = new JsonArray();
        JsonArray top = new JsonArray();
        JsonArray offsets = new JsonArray();
        for (JsonElement e : entries) {
            JsonObject entry = e.getAsJsonObject();
            tokens.add(entry.get("token"));
            tokenLogprobs.add(entry.get("logprob"));
            top.add(entry.get("top"));
            offsets.add(entry.get("text_offset"));
        }
        o.add("tokens", tokens);
        o.add("token_logprobs", tokenLogprobs);
        o.add("top_logprobs", top);
        o.add("text_offset", offsets);
        return o;
    }

    /**
     * One token's entry: chat's {@code {token, logprob, bytes, top_logprobs}}, or for completions
     * an intermediate {@code {token, logprob, top, text_offset}} that {@link #logprobs} splits into
     * OpenAI's parallel arrays.
     */
    JsonObject entry(TokenLogprob t) {
        JsonObject o = new JsonObject();
        o.addProperty("token", token(t.id(), t.bytes()));
        o.addProperty("logprob", t.logprob());
        if (chat) {
            o.add("bytes", bytes(t.bytes()));
            JsonArray top = new JsonArray();
            for (TokenLogprob.Candidate c :
                    t.top() == null ? List.<TokenLogprob.Candidate>of() : t.top()) {
                JsonObject alt = new JsonObject();
                alt.addProperty("token", token(c.id(), c.bytes()));
                alt.addProperty("logprob", c.logprob());
                alt.add("bytes", bytes(c.bytes()));
                top.add(alt);
            }
            o.add("top_logprobs", top);
            return o;
        }
        if (t.top() == null) {
            o.add("top", JsonNull.INSTANCE);
        } else {
            JsonObject top = new JsonObject();
            for (TokenLogprob.Candidate c : t.top()) {
                top.addProperty(token(c.id(), c.bytes()), c.logprob());
            }
            o.add("top", top);
        }
        o.addProperty("text_offset", t.textOffset());
        return o;
    }

    /**
     * A token as text: its UTF-8 when whole, else OpenAI's {@code bytes:\xNN…} for part of a
     * character, or vLLM's {@code token_id:N} for a model without a tokenizer.
     */
    static String token(int id, byte[] bytes) {
        if (bytes == null) {
            return "token_id:" + id;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder s = new StringBuilder("bytes:");
            for (byte b : bytes) {
                s.append(String.format("\\x%02x", b & 0xff));
            }
            return s.toString();
        }
    }

    private static JsonElement bytes(byte[] bytes) {
        if (bytes == null) {
            return JsonNull.INSTANCE;
        }
        JsonArray a = new JsonArray();
        for (byte b : bytes) {
            a.add(b & 0xff);
        }
        return a;
    }
}
