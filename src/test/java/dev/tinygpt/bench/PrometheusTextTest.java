package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String TEXT =
            """
            # HELP tinygpt_requests_total Requests by status.
            # TYPE tinygpt_requests_total counter
            tinygpt_requests_total{status="200"} 12.0
            tinygpt_requests_total{status="429"} 3
            tinygpt_requests_total{path="/v1/completions",status="500"} 1 1700000000000

            tinygpt_queue_depth 0
            tinygpt_ttft_seconds_bucket{le="+Inf"} 15
            tinygpt_odd{text="a \\"quoted\\", {braced} \\\\ line\\n",} NaN
            """;

    @Test
    void sumsEverySeriesOfAMetricAndReadsLabels() {
        PrometheusText metrics = PrometheusText.parse(TEXT);
        assertEquals(16.0, metrics.require("tinygpt_requests_total"));
        assertEquals(3.0, metrics.labelled("tinygpt_requests_total", "status", "429"));
        assertEquals(0.0, metrics.labelled("tinygpt_requests_total", "status", "404"));
        assertEquals(OptionalDouble.of(0), metrics.sum("tinygpt_queue_depth"));
        assertEquals(OptionalDouble.empty(), metrics.sum("tinygpt_queue"));
        assertEquals(15.0, metrics.require("tinygpt_ttft_seconds_bucket"));
        assertEquals(
                Map.of("text", "a \"quoted\", {braced} \\ line\n"),
                metrics.samples().get(metrics.samples().size() - 1).labels());
    }

    @Test
    void aMissingMetricOrABadLineIsNamed() {
        IllegalStateException missing =
                assertThrows(
                        IllegalStateException.class,
                        () -> PrometheusText.parse(TEXT).require("tinygpt_live_ndarrays"));
        assertEquals("/metrics has no tinygpt_live_ndarrays", missing.getMessage());
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> PrometheusText.parse("tinygpt_x{status=200} 1"));
        assertTrue(bad.getMessage().contains("tinygpt_x{status=200} 1"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("tinygpt_x one"));
    }
}
