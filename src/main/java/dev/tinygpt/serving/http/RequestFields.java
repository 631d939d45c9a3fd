package dev.tinygpt.serving.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.tinygpt.io.TextFiles;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body's fields, read with their JSON types checked: a missing or {@code null} field
 * takes its default, a field of the wrong type is a 400 naming it. OpenAI's fields are snake_case
 * and the messages say the field's name as the client wrote it.
 */
final class RequestFields {
    private final JsonObject body;

    private RequestFields(JsonObject body) {
        this.body = body;
    }

    /** Parses a body: UTF-8 JSON holding an object. */
    static RequestFields parse(byte[] bytes) {
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(java.nio.ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw ApiError.invalid(null, "the request body is not valid UTF-8");
        }
        JsonElement e;
        try {
            e = TextFiles.parseJson(text);
        } catch (IllegalArgumentException ex) {
            throw ApiError.invalid(null, "the request body is " + ex.getMessage());
        }
        if (e == null || !e.isJsonObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        return new RequestFields(e.getAsJsonObject());
    }

    static RequestFields of(JsonObject body) {
        return new RequestFields(body);
    }

    /** The field, or null when it is missing or JSON null. */
    JsonElement get(String name) {
        JsonElement e = body.get(name);
        return e == null || e.isJsonNull() ? null : e;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name, String fallback) {
        JsonElement e = get(name);
        if (e == null) {
            return fallback;
        }
        if (!isString(e)) {
            throw wrongType(name, "a string");
        }
        return e.getAsString();
    }

    boolean bool(String name, boolean fallback) {
        JsonElement e = get(name);
        if (e == null) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return e.getAsBoolean();
    }

    /** A JSON number that is a whole number within int range. */
    int integer(String name, int fallback) {
        JsonElement e = get(name);
        if (e == null) {
            return fallback;
        }
        return integer(e, name);
    }

    long longValue(String name, long fallback) {
        JsonElement e = get(name);
        if (e == null) {
            return fallback;
        }
        if (!isNumber(e)) {
            throw wrongType(name, "an integer");
        }
        double d = number(e, name);
        if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15) {
            throw wrongType(name, "an integer");
        }
        return (long) d;
    }

    float number(String name, float fallback) {
        JsonElement e = get(name);
        return e == null ? fallback : (float) number(e, name);
    }

    /** A string or an array of strings (OpenAI's {@code stop}). */
    List<String> strings(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return List.of();
        }
        if (isString(e)) {
            return List.of(e.getAsString());
        }
        if (!e.isJsonArray()) {
            throw wrongType(name, "a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            if (!isString(item)) {
                throw wrongType(name, "a string or an array of strings");
            }
            out.add(item.getAsString());
        }
        return out;
    }

    /** An object field, or null. */
    RequestFields object(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw wrongType(name, "an object");
        }
        return new RequestFields(e.getAsJsonObject());
    }

    JsonArray array(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw wrongType(name, "an array");
        }
        return e.getAsJsonArray();
    }

    static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    static int integer(JsonElement e, String name) {
        if (!isNumber(e)) {
            throw wrongType(name, "an integer");
        }
        double d = number(e, name);
        if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
            throw wrongType(name, "an integer");
        }
        return (int) d;
    }

    private static double number(JsonElement e, String name) {
        if (!isNumber(e)) {
            throw wrongType(name, "a number");
        }
        double d = ((JsonPrimitive) e).getAsDouble();
        if (!Double.isFinite(d)) {
            throw wrongType(name, "a finite number");
        }
        return d;
    }

    static ApiError wrongType(String name, String expected) {
        return ApiError.invalid(name, name + " must be " + expected);
    }
}
