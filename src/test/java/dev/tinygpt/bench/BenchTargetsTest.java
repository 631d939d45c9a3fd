package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTargetsTest {
    private final BenchTargets targets = new BenchTargets("big");

    private static BenchRow row(String model, int b, int n, double cachedMs, double uncachedMs) {
        // decode bound 20 ms, prefill bound 100 ms, prefill 140 ms
        return new BenchRow(model, b, n, 140, cachedMs, uncachedMs, 0, 20, 100);
    }

    @Test
    void everyTargetIsJudgedFromTheRows() {
        List<BenchRow> rows =
                List.of(
                        row("big", 1, 32, 25, 40),
                        row("big", 1, 512, 25, 600), // prefill at 71% of its bound
                        row("big", 16, 32, 40, 400), // 16/40 vs 1/25 per ms: 10×
                        row("tiny", 1, 8, 0.4, 1));
        List<BenchTargets.Result> results = targets.evaluate(rows);
        assertEquals(3, results.size());
        results.forEach(r -> assertTrue(r.met(), r::toString));
        assertTrue(results.get(0).measured().startsWith("71%")); // 100 / 140 ms
        assertEquals("10.0×", results.get(1).measured());
        assertTrue(results.get(2).measured().contains("with cache ×1.00, without ×15.0"));
    }

    @Test
    void missedTargetsSaySo() {
        List<BenchRow> rows =
                List.of(
                        row("big", 1, 32, 40, 40),
                        // grows with the cache; prefill at 25% of its bound
                        new BenchRow("big", 1, 512, 400, 80, 50, 0, 20, 100),
                        row("big", 16, 32, 200, 400)); // 16/200 vs 1/40: 3.2×
        List<BenchTargets.Result> results = targets.evaluate(rows);
        assertEquals(3, results.size());
        results.forEach(r -> assertFalse(r.met(), r::toString));
        String md = BenchTargets.markdown(results);
        assertEquals(3, md.split("\\*\\*no\\*\\*", -1).length - 1);
    }

    @Test
    void targetsWithoutTheirCellsAreLeftOut() {
        assertEquals(0, targets.evaluate(List.of(row("tiny", 1, 8, 0.4, 1))).size());
    }
}
