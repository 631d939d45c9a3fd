package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.util.ObjectTruthValue;
import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}) rendered
 * with Jinjava as {@code transformers} renders it (Jinja2): {@code trim_blocks} and {@code
 * lstrip_blocks}, the variables {@code messages}, {@code add_generation_prompt}, {@code bos_token}
 * and {@code eos_token}, and the function {@code raise_exception(message)}.
 */
public final class ChatTemplate {
    static final String FILE_NAME = "tokenizer_config.json";

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    /** Jinja2's loop filter: {@code {% for NAME in ITEMS if CONDITION %}}. */
    private static final Pattern LOOP_FILTER =
            Pattern.compile(
                    "\\{%(-?)\\s*for\\s+(\\w+)\\s+in\\s+((?:(?!%\\}).)+?)\\s+if\\s+"
                            + "((?:(?!%\\}).)+?)\\s*(-?)%\\}");

    /** Jinja2's {@code lstrip_blocks}: spaces and tabs from a line's start to a block tag. */
    private static final Pattern LSTRIP = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

    public ChatTemplate(String template, String bosToken, String eosToken) {
        // Jinjava's own lstrip_blocks also strips spaces before a tag in mid-line ("{{ x }}
        // {% endfor %}" loses its space), which Jinja2 keeps; so the strip is done here, Jinja2's
        // way, and Jinjava runs with trim_blocks only.
        this.template = loopFilters(LSTRIP.matcher(template).replaceAll(""));
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.jinjava =
                new Jinjava(
                        JinjavaConfig.newBuilder()
                                .withTrimBlocks(true)
                                .withMaxOutputSize(1L << 24)
                                .build());
        jinjava.registerFunction(
                new ELFunctionDefinition(
                        "", "raise_exception", ChatTemplate.class, "raise", String.class));
        jinjava.registerFunction(
                new ELFunctionDefinition(
                        "",
                        "tinygpt_loop_filter",
                        ChatTemplate.class,
                        "loopFilter",
                        Object.class,
                        String.class,
                        String.class));
    }

    /**
     * The chat template of a model directory, if its {@code tokenizer_config.json} has one (a
     * string, or Hugging Face's list of named templates, of which {@code default} is used).
     *
     * @throws IllegalArgumentException for a file that is not the JSON it should be, naming it
     */
    public static Optional<ChatTemplate> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonElement json = TextFiles.readJson(file, TextFiles.MAX_CONFIG_BYTES);
        if (!json.isJsonObject()) {
            throw new IllegalArgumentException(file + ": not a JSON object");
        }
        JsonObject o = json.getAsJsonObject();
        String template = template(o.get("chat_template"));
        if (template == null) {
            return Optional.empty();
        }
        return Optional.of(
                new ChatTemplate(template, token(o, "bos_token"), token(o, "eos_token")));
    }

    private static String template(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (RequestFields.isString(e)) {
            return e.getAsString();
        }
        if (e.isJsonArray()) {
            for (JsonElement named : e.getAsJsonArray()) {
                if (named.isJsonObject()
                        && "default".equals(string(named.getAsJsonObject().get("name")))) {
                    return string(named.getAsJsonObject().get("template"));
                }
            }
        }
        return null;
    }

    /** A special token: a string, or an object with {@code content} (AddedToken), or "". */
    private static String token(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e != null && e.isJsonObject()) {
            e = e.getAsJsonObject().get("content");
        }
        String s = string(e);
        return s == null ? "" : s;
    }

    private static String string(JsonElement e) {
        return e != null && RequestFields.isString(e) ? e.getAsString() : null;
    }

    /**
     * Renders OpenAI's {@code messages} with the generation prompt added.
     *
     * @throws ApiError 400 for messages that are not role/content objects, or that the template
     *     refuses (its {@code raise_exception} message)
     */
    String render(JsonArray messages) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages(messages));
        vars.put("add_generation_prompt", true);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(template, vars);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw ApiError.invalid(
                        "messages", "the chat template refused the messages: " + message(error));
            }
        }
        return result.getOutput();
    }

    private static List<Map<String, Object>> messages(JsonArray messages) {
        if (messages == null || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            if (!messages.get(i).isJsonObject()) {
                throw RequestFields.wrongType(where, "an object with role and content");
            }
            RequestFields m = RequestFields.of(messages.get(i).getAsJsonObject());
            String role = m.string("role", null);
            if (role == null) {
                throw ApiError.invalid(where + ".role", where + ".role is required");
            }
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", role);
            message.put("content", content(m.get("content"), where + ".content"));
            out.add(message);
        }
        return out;
    }

    /** A string, or OpenAI's content parts of which only {@code text} ones are allowed. */
    private static String content(JsonElement e, String where) {
        if (e == null) {
            return "";
        }
        if (RequestFields.isString(e)) {
            return e.getAsString();
        }
        if (!e.isJsonArray()) {
            throw RequestFields.wrongType(where, "a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonElement part : e.getAsJsonArray()) {
            JsonObject p = part.isJsonObject() ? part.getAsJsonObject() : null;
            if (p == null
                    || !"text".equals(string(p.get("type")))
                    || string(p.get("text")) == null) {
                throw ApiError.invalid(where, where + ": only text parts are supported");
            }
            text.append(p.get("text").getAsString());
        }
        return text.toString();
    }

    /**
     * Jinjava parses a loop filter and ignores it (it loops over every item); Jinja2 loops over the
     * items the condition keeps, and {@code loop.index}, {@code loop.last} count those only. So the
     * filter becomes a function over the items that keeps the same ones: {@code {% for m in
     * tinygpt_loop_filter(ITEMS, "m", "CONDITION") %}}.
     */
    static String loopFilters(String template) {
        Matcher m = LOOP_FILTER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement =
                    "{%"
                            + m.group(1)
                            + " for "
                            + m.group(2)
                            + " in tinygpt_loop_filter("
                            + m.group(3)
                            + ", \""
                            + m.group(2)
                            + "\", \""
                            + m.group(4).replace("\\", "\\\\").replace("\"", "\\\"")
                            + "\") "
                            + m.group(5)
                            + "%}";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The items for which {@code condition} holds with {@code name} bound to the item. */
    public static List<Object> loopFilter(Object items, String name, String condition) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        List<Object> kept = new ArrayList<>();
        Iterable<?> iterable = items instanceof Iterable<?> i ? i : List.of();
        for (Object item : iterable) {
            try (var scope = interpreter.enterScope()) {
                interpreter.getContext().put(name, item);
                Object value =
                        interpreter.resolveELExpression(condition, interpreter.getLineNumber());
                if (ObjectTruthValue.evaluate(value)) {
                    kept.add(item);
                }
            }
        }
        return kept;
    }

    /** The template's own {@code raise_exception} message if it raised one, else Jinjava's. */
    private static String message(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof Raised) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return error.getMessage();
    }

    /** What {@code raise_exception} throws. */
    private static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message);
        }
    }

    /** {@code raise_exception(message)} for templates: ends the rendering with the message. */
    public static String raise(String message) {
        throw new Raised(message);
    }
}
