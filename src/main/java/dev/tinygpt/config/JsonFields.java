package dev.tinygpt.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Typed fields of a JSON object for the config files ({@code config.json}, {@code
 * adapter_config.json}): a missing or null key takes the fallback given, a value of the wrong type
 * is an error naming the key.
 */
final class JsonFields {
    private JsonFields() {}

    static JsonPrimitive primitive(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(key + " must be a single value, got " + e);
        }
        return e.getAsJsonPrimitive();
    }

    static Integer optionalInteger(JsonObject o, String key) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) {
            return null;
        }
        if (!p.isNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + p);
        }
        double d = p.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " must be an integer, got " + p);
        }
        return (int) d;
    }

    static int integer(JsonObject o, String key, Integer fallback) {
        Integer value = optionalInteger(o, key);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("missing required key '" + key + "'");
            }
            return fallback;
        }
        return value;
    }

    static double number(JsonObject o, String key, double fallback) {
        return value(
                o, key, fallback, JsonPrimitive::isNumber, JsonPrimitive::getAsDouble, "a number");
    }

    static boolean bool(JsonObject o, String key, boolean fallback) {
        return value(
                o,
                key,
                fallback,
                JsonPrimitive::isBoolean,
                JsonPrimitive::getAsBoolean,
                "true or false");
    }

    static String string(JsonObject o, String key, String fallback) {
        return value(
                o, key, fallback, JsonPrimitive::isString, JsonPrimitive::getAsString, "a string");
    }

    /**
     * {@code o[key]} when it is of the kind {@code is} accepts, the fallback when absent or null.
     */
    private static <T> T value(
            JsonObject o,
            String key,
            T fallback,
            Predicate<JsonPrimitive> is,
            Function<JsonPrimitive, T> get,
            String kind) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) {
            return fallback;
        }
        if (!is.test(p)) {
            throw new IllegalArgumentException(key + " must be " + kind + ", got " + p);
        }
        return get.apply(p);
    }
}
