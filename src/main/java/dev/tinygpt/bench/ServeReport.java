package dev.tinygpt.bench;

import com.google.gson.GsonBuilder;
import dev.tinygpt.bench.ServeSuite.Result;
import dev.tinygpt.bench.ServeSuite.Row;
import dev.tinygpt.bench.ServeSuite.SoakSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code bench --suite serve}'s result as Markdown tables with the targets' verdicts, or JSON. */
public final class ServeReport {
    /** The target: 16 clients ≥ 6× the aggregate tokens/s of 1 client. */
    static final double TARGET_SPEEDUP = 6;

    private ServeReport() {}

    public static String markdown(Result r) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "## Serving %s: %d streamed requests per client, max_tokens %d%n%n",
                        r.model(),
                        r.requestsPerClient(),
                        r.maxTokens()));
        md.append(
                "| clients | requests | errors | completion tokens | wall | aggregate tokens/s |"
                        + " vs 1 client | TTFT p50 | TTFT p99 | ITL p50 | ITL p99 |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : r.rows()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %d | %d | %,d | %.1f s | %,.1f | %s | %.0f ms | %.0f ms |"
                                    + " %.1f ms | %.1f ms |%n",
                            row.clients(),
                            row.requests(),
                            row.errors(),
                            row.completionTokens(),
                            row.wallSeconds(),
                            row.tokensPerSecond(),
                            Double.isNaN(r.speedup(row))
                                    ? "–"
                                    : String.format(Locale.ROOT, "%.2f×", r.speedup(row)),
                            row.ttftP50(),
                            row.ttftP99(),
                            row.itlP50(),
                            row.itlP99()));
        }
        md.append('\n').append(verdict(r));
        if (!r.soak().isEmpty()) {
            md.append('\n').append(soak(r.soak()));
        }
        return md.toString();
    }

    /** The 6× target (when 1 and 16 clients ran) and the zero-error target, met or missed. */
    static String verdict(Result r) {
        StringBuilder v = new StringBuilder();
        r.rows().stream()
                .filter(row -> row.clients() == 16 && !Double.isNaN(r.speedup(row)))
                .findFirst()
                .ifPresent(
                        row -> {
                            double s = r.speedup(row);
                            v.append(
                                    String.format(
                                            Locale.ROOT,
                                            "Target 16 clients ≥ %.0f× the tokens/s of 1: %.2f× —"
                                                    + " %s.%n",
                                            TARGET_SPEEDUP,
                                            s,
                                            s >= TARGET_SPEEDUP ? "met" : "missed"));
                        });
        long errors = r.rows().stream().mapToLong(Row::errors).sum();
        String first =
                r.rows().stream()
                        .filter(row -> row.firstError() != null)
                        .findFirst()
                        .map(Row::firstError)
                        .orElse("");
        v.append(
                errors == 0
                        ? "Errors: none.\n"
                        : "Errors: " + errors + ", the first: " + first + ".\n");
        return v.toString();
    }

    static String soak(List<SoakSample> soak) {
        SoakSample first = soak.get(0);
        SoakSample last = soak.get(soak.size() - 1);
        StringBuilder md =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "### Soak: %,d requests of %d tokens from %d clients, the server"
                                        + " read while idle%n%n",
                                last.requests(),
                                ServeSuite.SOAK_TOKENS,
                                ServeSuite.SOAK_CLIENTS));
        md.append(
                "| requests | errors | live NDArrays | RSS | Java heap in use |\n"
                        + "|---:|---:|---:|---:|---:|\n");
        for (SoakSample s : soak) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %,d | %d | %s | %s | %s |%n",
                            s.requests(),
                            s.errors(),
                            s.liveArrays() < 0 ? "n/a" : Long.toString(s.liveArrays()),
                            bytes(s.rssBytes()),
                            bytes(s.heapBytes())));
        }
        md.append(
                last.errors() == 0
                        ? "\nErrors: none."
                        : "\nErrors: " + last.errors() + ", the first: " + last.firstError() + ".");
        md.append(
                String.format(
                        Locale.ROOT,
                        " Live NDArrays: %s. RSS: %s.%n",
                        first.liveArrays() < 0
                                ? "not exposed by the server (no tinygpt_live_ndarrays in /metrics)"
                                : first.liveArrays() == last.liveArrays()
                                        ? "flat at " + last.liveArrays()
                                        : first.liveArrays() + " → " + last.liveArrays(),
                        first.rssBytes() < 0
                                ? "unknown (a server at --url)"
                                : String.format(
                                        Locale.ROOT,
                                        "%s → %s (%+.1f MiB)",
                                        BenchReport.humanBytes(first.rssBytes()),
                                        BenchReport.humanBytes(last.rssBytes()),
                                        (last.rssBytes() - first.rssBytes()) / 1048576.0)));
        return md.toString();
    }

    private static String bytes(long n) {
        return n < 0 ? "n/a" : BenchReport.humanBytes(n);
    }

    /** The result as one JSON object (NaN where a figure has no samples). */
    public static String json(Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", r.model());
        out.put("requests_per_client", r.requestsPerClient());
        out.put("max_tokens", r.maxTokens());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", row.clients());
            m.put("requests", row.requests());
            m.put("errors", row.errors());
            m.put("first_error", row.firstError());
            m.put("completion_tokens", row.completionTokens());
            m.put("wall_seconds", row.wallSeconds());
            m.put("tokens_per_second", row.tokensPerSecond());
            m.put("speedup_vs_1_client", r.speedup(row));
            m.put("ttft_p50_ms", row.ttftP50());
            m.put("ttft_p99_ms", row.ttftP99());
            m.put("itl_p50_ms", row.itlP50());
            m.put("itl_p99_ms", row.itlP99());
            rows.add(m);
        }
        out.put("runs", rows);
        List<Map<String, Object>> soak = new ArrayList<>();
        for (SoakSample s : r.soak()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", s.requests());
            m.put("errors", s.errors());
            m.put("first_error", s.firstError());
            m.put("live_ndarrays", s.liveArrays());
            m.put("rss_bytes", s.rssBytes());
            m.put("heap_bytes", s.heapBytes());
            soak.add(m);
        }
        out.put("soak", soak);
        return new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(out);
    }
}
