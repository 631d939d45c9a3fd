package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The soak at its full size: 10,000 tokens in one streamed call on the exercise model (its window
 * slides ~600 times) and then 1,000 generate calls, each with a Predictor and cache of its own.
 * Live NDArrays do not move by one; RSS and the Java heap in use stay within a few MiB of where the
 * warm-up left them (a leak of one small array per token would add tens of MiB).
 */
class SoakTest {
    private static final long MIB = 1 << 20;

    @Test
    void tenThousandTokensAndAThousandCallsLeaveMemoryFlat() {
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 2, WordTokenizer.exercise())) {
            List<Soak.Sample> samples = new Soak(lm).run(10_000, 1_000, s -> {});
            // start, 10 in the long call, 10 across the short calls
            assertEquals(21, samples.size());
            Soak.Sample start = samples.get(0);
            Soak.Sample inLongCall = samples.get(1);
            for (Soak.Sample s : samples.subList(1, 11)) {
                assertEquals(inLongCall.liveArrays(), s.liveArrays(), s::toString);
            }
            for (Soak.Sample s : samples.subList(11, 21)) {
                assertEquals(start.liveArrays(), s.liveArrays(), "between calls: " + s);
            }
            assertEquals(10_000, samples.get(10).tokens());
            assertEquals(10_000 + 8 * 1_000, samples.get(20).tokens());
            long rssGrowth = 0;
            long heapGrowth = 0;
            for (Soak.Sample s : samples) {
                rssGrowth = Math.max(rssGrowth, s.rssBytes() - start.rssBytes());
                heapGrowth = Math.max(heapGrowth, s.heapBytes() - start.heapBytes());
            }
            System.out.printf(
                    "SoakTest: live arrays %d (%d during the long call); RSS %s at the start, at"
                            + " most %s more; heap in use %s, at most %s more%n",
                    start.liveArrays(),
                    inLongCall.liveArrays(),
                    BenchReport.humanBytes(start.rssBytes()),
                    BenchReport.humanBytes(rssGrowth),
                    BenchReport.humanBytes(start.heapBytes()),
                    BenchReport.humanBytes(heapGrowth));
            assertTrue(rssGrowth < 48 * MIB, "RSS grew by " + BenchReport.humanBytes(rssGrowth));
            assertTrue(heapGrowth < 16 * MIB, "heap grew by " + BenchReport.humanBytes(heapGrowth));
        }
    }
}
