package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridBenchmarkTest {

    @Test
    void lengthsDoubleToHalfTheContextThenLeaveRoomForTheDecodeSteps() {
        assertArrayEquals(new int[] {32, 64, 128, 256, 512, 1014}, GridBenchmark.lengths(1024));
        assertArrayEquals(new int[] {1, 2, 4, 8, 16, 22}, GridBenchmark.lengths(32));
    }

    @Test
    void decodeBytesAreEveryWeightButThePositionTableAndTheEmbeddingRowsPlusTheKvCache() {
        // Tied (GPT-2 small): wte is read whole as the head; wpe only row by row.
        GptConfig gpt2 = GptConfig.gpt2Small();
        long tied = parameters(gpt2) - (long) gpt2.contextLength() * gpt2.dModel();
        assertEquals(4.0 * tied, GridBenchmark.decodeBytes(gpt2, 1, 0));
        assertEquals(494_613_504.0, GridBenchmark.decodeBytes(gpt2, 1, 0)); // 123,653,376 floats
        // Untied (exercise): lm_head is read whole, wte only row by row.
        GptConfig ex = GptConfig.exercise();
        long untied =
                parameters(ex)
                        - (long) ex.contextLength() * ex.dModel()
                        - (long) ex.vocabSize() * ex.dModel();
        assertEquals(4.0 * untied, GridBenchmark.decodeBytes(ex, 1, 0));
        // K and V of every layer and row: 2 · 12 · 4 · 100 · 768 floats.
        assertEquals(
                4.0 * (tied + 2L * 12 * 4 * 100 * 768), GridBenchmark.decodeBytes(gpt2, 4, 100));
    }

    @Test
    void prefillFlopsCountProjectionsFullSquareAttentionAndTheLastPositionsHead() {
        GptConfig ex = GptConfig.exercise(); // C 64, H 128, V 20, 3 layers
        int b = 2;
        int n = 10;
        double projections = 2.0 * b * n * (64 * 192 + 64 * 64 + 2 * 64 * 128);
        double attention = 2.0 * 2 * b * n * n * 64;
        double head = 2.0 * b * 64 * 20;
        assertEquals(3 * (projections + attention) + head, GridBenchmark.prefillFlops(ex, b, n));
    }

    @Test
    void aSmallGridMeasuresEveryCellThatFitsAndReportsTheCacheItHeld() {
        GptConfig config = TestModels.small(2, 64, Activation.GELU_NEW, true);
        List<Double> bandwidth = new ArrayList<>();
        List<Double> gflops = new ArrayList<>();
        List<BenchRow> heard = new ArrayList<>();
        try (LanguageModel lm = LanguageModel.create(config, 5, null);
                MachineProbe probe = new MachineProbe()) {
            GridBenchmark grid = new GridBenchmark("small", lm, 2, 0, 40, probe, bandwidth, gflops);
            List<BenchRow> rows = grid.run(new int[] {1, 4}, new int[] {4, 16}, heard::add);
            // B·n = 64 > 40 is skipped
            assertEquals(3, rows.size());
            assertEquals(rows, heard);
            for (BenchRow r : rows) {
                assertTrue(r.prefillMs() > 0 && r.cachedStepMs() > 0 && r.uncachedStepMs() > 0);
                assertTrue(Double.isNaN(r.decodeBoundMs()) && Double.isNaN(r.prefillBoundMs()));
                MachineLimits limits = new MachineLimits("cpu", 2, "pinned to 2", 20.0, 200.0);
                BenchRow bounded = GridBenchmark.withBounds(r, config, limits);
                assertEquals(
                        GridBenchmark.decodeBytes(config, r.batch(), r.length()) / 20e6,
                        bounded.decodeBoundMs());
                assertEquals(
                        GridBenchmark.prefillFlops(config, r.batch(), r.length()) / 200e6,
                        bounded.prefillBoundMs());
                assertEquals(r.cachedStepMs(), bounded.cachedStepMs());
                // the cache holds K and V of the n prompt positions and the decode steps, per row
                long positions = r.length() + GridBenchmark.DECODE_STEPS;
                long expected = 2L * config.layers() * r.batch() * positions * config.dModel() * 4;
                assertEquals(expected, r.kvCacheBytes(), r::toString);
            }
            assertEquals(6, bandwidth.size()); // three samples before and three after
            assertTrue(bandwidth.stream().allMatch(v -> v > 0.1));
            assertTrue(gflops.stream().allMatch(v -> v > 0.1));
        }
    }

    private static long parameters(GptConfig config) {
        return new GptModel(config)
                .namedParameters().stream().mapToLong(NamedParameter::size).sum();
    }
}
