package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The processors compose as in HF: penalty and n-gram ban on the raw logits, then temperature,
 * top-k, top-p. Temperature alone commutes with the repetition penalty (both only rescale and keep
 * the sign), so order shows against the filters.
 */
class HfOrderTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void repetitionPenaltyComesBeforeTemperatureAndTopK() {
        // logits (3, 2.5, 1, 0), token 0 seen, penalty 2, T = 0.5, top_k 1, by hand:
        //   HF:       penalty (1.5, 2.5, 1, 0) -> /T (3, 5, 2, 0) -> top-1 keeps id 1.
        //   reversed: /T (6, 5, 2, 0) -> top-1 keeps id 0 -> penalty (3, -inf, -inf, -inf).
        float[] logits = {3f, 2.5f, 1f, 0f};
        int[] tokens = {0};
        SamplingConfig config = new SamplingConfig(0.5f, 1, 1f, 2f, 0, 0L);

        float[] hf = apply(LogitsProcessors.of(config), tokens, logits);
        assertArrayEquals(new float[] {NEG_INF, 5f, NEG_INF, NEG_INF}, hf, 1e-6f);
        float[] reversed =
                apply(
                        List.of(new Temperature(0.5f), new TopK(1), new RepetitionPenalty(2f)),
                        tokens,
                        logits);
        assertArrayEquals(new float[] {3f, NEG_INF, NEG_INF, NEG_INF}, reversed, 1e-6f);

        Sampler sampler = new Sampler(config);
        Random rng = new Random(1);
        for (int draw = 0; draw < 100; draw++) {
            assertEquals(1, sampler.next(tokens, 1, logits, rng));
        }
    }

    @Test
    void penaltyThenTemperatureThenTopPByHand() {
        // raw (2, 1, 0, -1), tokens 0 and 3 seen, penalty 2, T = 0.5, top_p 0.85 (cutoff 0.15):
        //   HF:       penalty (1, 1, 0, -2) -> /T (2, 2, 0, -4) -> softmax (0.4678, 0.4678,
        //             0.0633, 0.0012); ascending cumulative 0.0012, 0.0645, 0.5322 -> ids 3, 2 go.
        //   reversed: /T (4, 2, 0, -2) -> softmax (0.8650, 0.1171, 0.0158, 0.0021); cumulative
        //             0.0021, 0.0180, 0.1351 -> ids 3, 2, 1 go; then the penalty halves id 0.
        float[] logits = {2f, 1f, 0f, -1f};
        int[] tokens = {0, 3};
        SamplingConfig config = new SamplingConfig(0.5f, 0, 0.85f, 2f, 0, 0L);
        assertArrayEquals(
                new float[] {2f, 2f, NEG_INF, NEG_INF},
                apply(LogitsProcessors.of(config), tokens, logits),
                1e-6f);
        assertArrayEquals(
                new float[] {2f, NEG_INF, NEG_INF, NEG_INF},
                apply(
                        List.of(new Temperature(0.5f), new TopP(0.85f), new RepetitionPenalty(2f)),
                        tokens,
                        logits),
                1e-6f);
    }

    @Test
    void ngramBanComesBeforeTopK() {
        // Sequence (1, 2, 1): the bigram (1, 2) bans 2. logits (0, 1, 3, 2), top_k 1:
        //   HF: ban 2 -> (0, 1, -inf, 2) -> top-1 keeps id 3.
        //   reversed: top-1 keeps only id 2, the ban then leaves nothing.
        float[] logits = {0f, 1f, 3f, 2f};
        int[] tokens = {1, 2, 1};
        SamplingConfig config = new SamplingConfig(1f, 1, 1f, 1f, 2, 0L);
        assertArrayEquals(
                new float[] {NEG_INF, NEG_INF, NEG_INF, 2f},
                apply(LogitsProcessors.of(config), tokens, logits),
                0f);
        assertEquals(3, new Sampler(config).next(tokens, 3, logits, new Random(0)));
        assertArrayEquals(
                new float[] {NEG_INF, NEG_INF, NEG_INF, NEG_INF},
                apply(List.of(new TopK(1), new NoRepeatNGram(2)), tokens, logits),
                0f);
    }

    @Test
    void greedyStillAppliesPenaltyAndNgramBan() {
        // As HF with do_sample=False. The plain argmax of (0, 1, 3, 2) is id 2.
        float[] logits = {0f, 1f, 3f, 2f};
        assertEquals(2, new Sampler(SamplingConfig.greedy()).next(new int[] {2}, 1, logits, null));
        // The bigram (1, 2) in (1, 2, 1) bans id 2, so id 3 wins.
        Sampler ngram =
                new Sampler(SamplingConfig.greedy().toBuilder().noRepeatNgramSize(2).build());
        assertEquals(3, ngram.next(new int[] {1, 2, 1}, 3, logits, null));
        // Penalty 2 on the seen id 2: 3 / 2 = 1.5 < 2, so id 3 wins; penalty 1.2 leaves 2.5 > 2.
        Sampler strong =
                new Sampler(SamplingConfig.greedy().toBuilder().repetitionPenalty(2f).build());
        assertEquals(3, strong.next(new int[] {2}, 1, logits, null));
        Sampler mild =
                new Sampler(SamplingConfig.greedy().toBuilder().repetitionPenalty(1.2f).build());
        assertEquals(2, mild.next(new int[] {2}, 1, logits, null));
    }

    private static float[] apply(List<LogitsProcessor> processors, int[] tokens, float[] logits) {
        float[] row = logits.clone();
        for (LogitsProcessor p : processors) {
            p.process(tokens, tokens.length, row);
        }
        return row;
    }
}
