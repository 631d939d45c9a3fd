package dev.tinygpt.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.eval.EvalResult;
import dev.tinygpt.eval.Perplexity;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eval} against an independent computation: {@link ReferenceGpt}'s logits for each window of
 * Hugging Face's strided loop (written out again here, not taken from tinygpt), log-softmax and sum
 * in double. Texts shorter than a window, exactly one window, strides that do not divide the text,
 * batches of one and of several windows; all within 1e-5 nats per token.
 */
class EvalReferenceTest {
    private static final double TOLERANCE = 1e-5;
    private static final CharTokenizer CHARS =
            CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvwxyz .,\n", false);
    private static final GptConfig CONFIG = ReferenceForwardTest.fourHeads(CHARS.vocabSize());

    private static LanguageModel lm;
    private static ReferenceGpt reference;

    @BeforeAll
    static void model() {
        lm = LanguageModel.create(CONFIG, 3, CHARS);
        ReferenceForwardTest.randomize(lm.block(), 104);
        reference = ReferenceForwardTest.referenceOf(lm.block());
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    @Test
    void everyWindowingAgreesWithTheReference() {
        double worst = 0;
        for (int length : new int[] {2, 10, 16, 17, 45}) {
            String text = text(length, length);
            for (int stride : new int[] {1, 5, 8, 15}) {
                for (int batch : new int[] {1, 3}) {
                    EvalResult result =
                            Perplexity.evaluate(lm, text, stride, batch, Perplexity.Progress.NONE);
                    double[] expected = referenceNll(CHARS.encode(text), stride);
                    String what = length + " tokens, stride " + stride + ", batch " + batch;
                    assertEquals(length - 1, result.tokensScored(), what);
                    assertEquals(expected[1], result.tokensScored(), what + ": tokens scored");
                    double perToken = expected[0] / expected[1];
                    double diff = Math.abs(perToken - result.nllPerToken());
                    assertTrue(
                            diff <= TOLERANCE,
                            what + ": " + perToken + " vs " + result.nllPerToken());
                    worst = Math.max(worst, diff);
                    long bytes = text.substring(1).getBytes(StandardCharsets.UTF_8).length;
                    assertEquals(
                            expected[0] / Math.log(2) / bytes, result.bitsPerByte(), 1e-5, what);
                    assertEquals(Math.exp(result.nllPerToken()), result.perplexity(), 1e-9, what);
                }
            }
        }
        System.out.printf("EvalReferenceTest max |reference - eval| nll per token: %.3g%n", worst);
    }

    @Test
    void aOneTokenTextAndAStrideThatLeavesAGapAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Perplexity.evaluate(lm, "a", 8, 1, Perplexity.Progress.NONE));
        assertTrue(
                e.getMessage().contains("the text has 1 token; scoring needs at least 2"),
                e.getMessage());
        for (int stride : new int[] {0, 16}) {
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    Perplexity.evaluate(
                                            lm, "abc", stride, 1, Perplexity.Progress.NONE));
            assertTrue(
                    e.getMessage()
                            .contains("stride must be in [1, n_positions − 1 = 15], got " + stride),
                    e.getMessage());
        }
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Perplexity.evaluate(lm, "ab\u00e9", 8, 1, Perplexity.Progress.NONE));
        assertTrue(e.getMessage().contains("at index 2"), e.getMessage());
    }

    /**
     * Hugging Face's loop: windows of n_positions from 0 by {@code stride}; a window scores the
     * targets after the previous window's end. Returns {summed NLL, tokens scored}.
     */
    private static double[] referenceNll(int[] ids, int stride) {
        int n = CONFIG.contextLength();
        double nll = 0;
        int scored = 0;
        int previousEnd = 0;
        for (int begin = 0; begin < ids.length; begin += stride) {
            int end = Math.min(begin + n, ids.length);
            double[][] logits = reference.logits(Arrays.copyOfRange(ids, begin, end));
            for (int target = Math.max(previousEnd, 1); target < end; target++) {
                double[] row = logits[target - begin - 1].clone();
                ReferenceGpt.softmaxInPlace(row);
                nll -= Math.log(row[ids[target]]);
                scored++;
            }
            previousEnd = end;
            if (end == ids.length) {
                break;
            }
        }
        return new double[] {nll, scored};
    }

    /** {@code length} characters of the vocabulary, drawn from {@code seed}. */
    private static String text(int length, long seed) {
        Random random = new Random(seed);
        List<String> symbols = CHARS.symbols();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(symbols.get(random.nextInt(symbols.size())));
        }
        return sb.toString();
    }
}
