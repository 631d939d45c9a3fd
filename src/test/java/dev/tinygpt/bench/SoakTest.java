package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak itself, shortened: live arrays must not move once generation is under way. */
class SoakTest {

    @Test
    void liveArraysStayConstantThroughALongCallAndManyShortOnes() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 2, null)) {
            Soak soak = new Soak(lm);
            List<Soak.Sample> samples = soak.run(2_000, 100, s -> {});
            // start, 10 in the long call, 10 across the short calls, session closed
            assertEquals(22, samples.size());
            int duringLongCall = samples.get(1).liveArrays();
            for (Soak.Sample s : samples.subList(1, samples.size() - 1)) {
                assertEquals(duringLongCall, s.liveArrays(), s::toString);
            }
            assertEquals(2_000, samples.get(10).tokens());
            assertEquals(2_000 + 8 * 100, samples.get(21).tokens());
            // closing the session frees its cache: back to the parameters alone
            assertEquals(samples.get(0).liveArrays(), samples.get(21).liveArrays());
            assertTrue(samples.get(21).rssBytes() != 0);
        }
    }
}
