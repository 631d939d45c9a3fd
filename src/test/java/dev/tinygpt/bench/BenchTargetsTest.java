package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTargetsTest {
    private final BenchTargets targets = new BenchTargets("tiny", "big");

    private static BenchRow row(String model, int b, int n, double cachedMs, double uncachedMs) {
        // decode bound 20 ms, prefill bound 100 ms, prefill 200 ms
        return new BenchRow(model, b, n, 200, cachedMs, uncachedMs, 0, 20, 100);
    }

    @Test
    void everyTargetIsJudgedFromTheRows() {
        List<BenchRow> rows =
                List.of(
                        row("big", 1, 32, 25, 40), // 80% of the bound
                        row("big", 1, 512, 25, 600),
                        row("big", 16, 32, 40, 400), // 16/40 vs 1/25 per ms: 10×
                        row("tiny", 1, 8, 0.4, 1)); // 2,500 tokens/s
        List<BenchTargets.Result> results = targets.evaluate(rows);
        assertEquals(5, results.size());
        results.forEach(r -> assertTrue(r.met(), r::toString));
        assertTrue(results.get(0).measured().startsWith("80%"), results.get(0).measured());
        assertTrue(results.get(1).measured().startsWith("2,500 tokens/s"));
        assertTrue(results.get(2).measured().startsWith("50%")); // 100 / 200 ms
        assertEquals("10.0×", results.get(3).measured());
        assertTrue(results.get(4).measured().contains("with cache ×1.00, without ×15.0"));
    }

    @Test
    void missedTargetsSaySo() {
        List<BenchRow> rows =
                List.of(
                        row("big", 1, 32, 40, 40), // 50% of the bound
                        // grows with the cache, not without; prefill at 25% of its bound
                        new BenchRow("big", 1, 512, 400, 80, 50, 0, 20, 100),
                        row("big", 16, 32, 200, 400), // 16/200 vs 1/40: 3.2×
                        row("tiny", 1, 8, 1, 1)); // 1,000 tokens/s
        List<BenchTargets.Result> results = targets.evaluate(rows);
        assertEquals(5, results.size());
        results.forEach(r -> assertFalse(r.met(), r::toString));
        String md = BenchTargets.markdown(results);
        assertEquals(5, md.split("\\*\\*no\\*\\*", -1).length - 1);
    }

    @Test
    void targetsWithoutTheirCellsAreLeftOut() {
        assertEquals(1, targets.evaluate(List.of(row("tiny", 1, 8, 0.4, 1))).size());
    }
}
