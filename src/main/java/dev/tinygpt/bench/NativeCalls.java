package dev.tinygpt.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the libtorch operators some work calls, with libtorch's own profiler ({@code
 * torch.autograd.profiler}, which DJL starts and stops and which writes a Chrome trace). An
 * operator called from Java is one native call; the operators it runs inside (a {@code matmul}'s
 * {@code mm}) are nested in its trace event and not counted again.
 */
final class NativeCalls {
    /** Top-level operator calls: how many in all, and how many of each operator. */
    record Count(long total, Map<String, Long> byOperator) {
        /** This count minus {@code other}'s, operator by operator. */
        Count minus(Count other) {
            Map<String, Long> diff = new HashMap<>(byOperator);
            other.byOperator.forEach((op, n) -> diff.merge(op, -n, Long::sum));
            diff.values().removeIf(n -> n == 0);
            return new Count(total - other.total, diff);
        }
    }

    private NativeCalls() {}

    /** Runs {@code work} under libtorch's profiler and counts the operators it called. */
    static Count during(Runnable work) throws IOException {
        Path trace = Files.createTempFile("tinygpt-profile-", ".json");
        try {
            JniUtils.startProfile(false, false, false);
            try {
                work.run();
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            try (Reader reader = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
                return count(JsonParser.parseReader(reader).getAsJsonArray());
            }
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    /** The top-level complete events ({@code "ph": "X"}) of a Chrome trace, thread by thread. */
    static Count count(JsonArray events) {
        Map<String, List<JsonObject>> byThread = new HashMap<>();
        for (JsonElement e : events) {
            JsonObject event = e.getAsJsonObject();
            if (event.has("ph") && "X".equals(event.get("ph").getAsString())) {
                String tid = event.has("tid") ? event.get("tid").getAsString() : "";
                byThread.computeIfAbsent(tid, k -> new ArrayList<>()).add(event);
            }
        }
        long total = 0;
        Map<String, Long> byOperator = new HashMap<>();
        for (List<JsonObject> thread : byThread.values()) {
            // By start, the longer (enclosing) event first at equal starts.
            thread.sort(
                    Comparator.<JsonObject>comparingDouble(e -> e.get("ts").getAsDouble())
                            .thenComparing(e -> -e.get("dur").getAsDouble()));
            double end = Double.NEGATIVE_INFINITY;
            for (JsonObject event : thread) {
                double start = event.get("ts").getAsDouble();
                if (start >= end) { // not inside the last top-level event
                    end = start + event.get("dur").getAsDouble();
                    total++;
                    byOperator.merge(event.get("name").getAsString(), 1L, Long::sum);
                }
            }
        }
        return new Count(total, byOperator);
    }
}
