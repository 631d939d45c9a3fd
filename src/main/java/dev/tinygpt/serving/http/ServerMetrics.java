package dev.tinygpt.serving.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one JVM do not mix):
 * requests by status, prompt and completion tokens, queue depth and running rows (read when
 * scraped), and histograms of time to first token, inter-token latency and request duration.
 */
final class ServerMetrics {
    /** Seconds: 1 ms … ~65 s, doubling, for the latency histograms. */
    private static final double[] LATENCY_BOUNDS = exponential(0.001, 2, 17);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Histogram timeToFirstToken;
    private final Histogram interTokenLatency;
    private final Histogram requestDuration;

    ServerMetrics(IntSupplier queueDepth, IntSupplier runningRows) {
        requests =
                Counter.builder()
                        .name("tinygpt_requests_total")
                        .help(
                                "API requests answered (/v1/*, /tokenize, /detokenize), by status code")
                        .labelNames("status")
                        .register(registry);
        promptTokens =
                Counter.builder()
                        .name("tinygpt_prompt_tokens_total")
                        .help("Prompt tokens of accepted completion requests")
                        .register(registry);
        completionTokens =
                Counter.builder()
                        .name("tinygpt_completion_tokens_total")
                        .help("Tokens generated")
                        .register(registry);
        GaugeWithCallback.builder()
                .name("tinygpt_queue_depth")
                .help("Requests waiting for a row")
                .callback(cb -> cb.call(queueDepth.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("tinygpt_running_rows")
                .help("Rows in the running decode batch")
                .callback(cb -> cb.call(runningRows.getAsInt()))
                .register(registry);
        timeToFirstToken = histogram("tinygpt_time_to_first_token_seconds", "Time to first token");
        interTokenLatency =
                histogram("tinygpt_inter_token_latency_seconds", "Time between a choice's tokens");
        requestDuration =
                histogram("tinygpt_request_duration_seconds", "Completion request end to end");
    }

    private Histogram histogram(String name, String help) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .register(registry);
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] bounds = new double[count];
        for (int i = 0; i < count; i++) {
            bounds[i] = start * Math.pow(factor, i);
        }
        return bounds;
    }

    void request(int status) {
        requests.labelValues(Integer.toString(status)).inc();
    }

    void promptTokens(long n) {
        promptTokens.inc(n);
    }

    void completionTokens(long n) {
        completionTokens.inc(n);
    }

    void firstToken(long nanos) {
        timeToFirstToken.observe(nanos / 1e9);
    }

    void interToken(long nanos) {
        interTokenLatency.observe(nanos / 1e9);
    }

    void duration(long nanos) {
        requestDuration.observe(nanos / 1e9);
    }

    String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Prometheus' text format of every metric now. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }
}
