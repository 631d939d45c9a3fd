package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.bench.ServeSuite.Result;
import dev.tinygpt.bench.ServeSuite.Row;
import dev.tinygpt.bench.ServeSuite.SoakSample;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The serve suite end to end at a tiny size (the server in this JVM on the Shakespeare model, real
 * HTTP on loopback), and its report on figures made up to show each verdict.
 */
class ServeSuiteTest {
    @Test
    void aSmallRunCountsEveryTokenAndReadsTheServerWhileIdle() throws Exception {
        Result r =
                new ServeSuite(2, 12)
                        .runOn(Path.of("models", "shakespeare-char"), new int[] {1, 3}, 8);
        assertEquals("shakespeare-char", r.model());
        assertEquals(List.of(1, 3), r.rows().stream().map(Row::clients).toList());
        for (Row row : r.rows()) {
            assertEquals(0, row.errors(), row.firstError());
            assertEquals(2L * row.clients(), row.requests());
            // max_tokens 12 each: the usage the server reports, and no stop cuts a char model short
            assertEquals(12L * row.requests(), row.completionTokens());
            assertTrue(row.tokensPerSecond() > 0 && row.ttftP50() > 0, row.toString());
            assertTrue(
                    row.ttftP50() <= row.ttftP99() && row.itlP50() <= row.itlP99(), row.toString());
        }
        assertEquals(List.of(0, 4, 8), r.soak().stream().map(SoakSample::requests).toList());
        for (SoakSample s : r.soak()) {
            assertEquals(0, s.errors());
            assertTrue(s.liveArrays() > 0 && s.rssBytes() > 0 && s.heapBytes() > 0, s.toString());
        }
    }

    private static Result madeUp(double sixteenClientsRate, long errors, long arraysAfter) {
        List<Row> rows =
                List.of(
                        new Row(1, 8, 0, null, 512, 10, 50, 20, 30, 19, 25),
                        new Row(
                                16,
                                128,
                                errors,
                                errors > 0 ? "HTTP 429: the queue is full" : null,
                                8192,
                                20,
                                sixteenClientsRate,
                                90,
                                400,
                                60,
                                120));
        List<SoakSample> soak =
                List.of(
                        new SoakSample(0, 0, null, 70, 300 << 20, 50 << 20),
                        new SoakSample(
                                1000,
                                arraysAfter > 70 ? 1 : 0,
                                arraysAfter > 70 ? "no data for 120.0 s" : null,
                                arraysAfter,
                                301 << 20,
                                50 << 20));
        return new Result("m", 8, 64, rows, soak);
    }

    @Test
    void theReportSaysWhetherEachTargetWasMet() {
        String met = ServeReport.markdown(madeUp(400, 0, 70));
        assertTrue(
                met.contains(
                        "| 16 | 128 | 0 | 8,192 | 20.0 s | 400.0 | 8.00× | 90 ms | 400 ms | 60.0 ms | 120.0 ms |"),
                met);
        assertTrue(met.contains("Target 16 clients ≥ 6× the tokens/s of 1: 8.00× — met."), met);
        assertTrue(met.contains("Errors: none."), met);
        assertTrue(
                met.contains("Live NDArrays: flat at 70. RSS: 300.0 MiB → 301.0 MiB (+1.0 MiB)."),
                met);
        String missed = ServeReport.markdown(madeUp(200, 3, 75));
        assertTrue(missed.contains("4.00× — missed."), missed);
        Result sixteenOnly =
                new Result("m", 8, 64, madeUp(400, 0, 70).rows().subList(1, 2), List.of());
        String alone = ServeReport.markdown(sixteenOnly);
        assertTrue(alone.contains("| 400.0 | – |"), alone);
        assertFalse(alone.contains("Target"), alone);
        assertTrue(missed.contains("Errors: 3, the first: HTTP 429: the queue is full"), missed);
        assertTrue(
                missed.contains(
                        "Errors: 1, the first: no data for 120.0 s. Live NDArrays: 70 → 75."),
                missed);
    }

    @Test
    void theJsonHasEveryFigure() {
        JsonObject o =
                JsonParser.parseString(ServeReport.json(madeUp(400, 0, 70))).getAsJsonObject();
        JsonObject sixteen = o.getAsJsonArray("runs").get(1).getAsJsonObject();
        assertEquals(8.0, sixteen.get("speedup_vs_1_client").getAsDouble());
        assertEquals(400.0, sixteen.get("ttft_p99_ms").getAsDouble());
        assertEquals(
                1000, o.getAsJsonArray("soak").get(1).getAsJsonObject().get("requests").getAsInt());
    }
}
