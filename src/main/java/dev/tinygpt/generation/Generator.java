package dev.tinygpt.generation;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.Greedy;
import java.util.Arrays;

/**
 * The next-token loop: logits of the last position → softmax → argmax → append → repeat.
 *
 * <p>With the KV cache the window is prefilled in one step and then fed one token per step; without
 * it the whole window is recomputed every step. Past {@code n_positions} both follow the same
 * {@link ContextPolicy}: under {@code SHIFT} the window restarts from the last {@code n_positions -
 * shift} tokens at positions {@code 0…} (a re-prefill with the cache), so both paths see the same
 * tokens at the same positions and produce the same output.
 */
public final class Generator {
    private Generator() {}

    /**
     * Generates from {@code prompt} with the session's model.
     *
     * @throws IllegalArgumentException for an empty prompt, an id outside the vocabulary, or a
     *     prompt longer than the context under the {@code STOP} policy
     */
    public static GenerationResult generate(
            InferenceSession session, int[] prompt, GenerationOptions options) {
        GptConfig config = session.config();
        checkPrompt(prompt, config, options);
        int n = config.contextLength();
        int keep = options.contextPolicy() == ContextPolicy.SHIFT ? n - options.shiftFor(n) : n;

        int[] tokens = Arrays.copyOf(prompt, prompt.length + options.maxNewTokens());
        int length = prompt.length;
        int windowStart = 0;
        boolean cacheValid = false;
        FinishReason reason = FinishReason.LENGTH;
        long prefillNanos = 0;
        long decodeNanos = 0;
        int steps = 0;
        long begin = System.nanoTime();
        while (length - prompt.length < options.maxNewTokens()) {
            if (length - windowStart > n) {
                if (options.contextPolicy() == ContextPolicy.STOP) {
                    reason = FinishReason.CONTEXT_FULL;
                    break;
                }
                windowStart = length - keep;
                cacheValid = false;
            }
            long start = System.nanoTime();
            float[] logits;
            if (!options.useKvCache()) {
                logits = session.forward(Arrays.copyOfRange(tokens, windowStart, length));
            } else if (!cacheValid) {
                logits = session.prefill(Arrays.copyOfRange(tokens, windowStart, length));
                cacheValid = true;
            } else {
                logits = session.append(tokens[length - 1]);
            }
            long elapsed = System.nanoTime() - start;
            if (steps++ == 0) {
                prefillNanos = elapsed;
            } else {
                decodeNanos += elapsed;
            }
            int next = Greedy.pick(logits);
            tokens[length++] = next;
            if (options.stopAtEos() && config.hasEos() && next == config.eosTokenId()) {
                reason = FinishReason.EOS;
                break;
            }
        }
        double totalMillis = (System.nanoTime() - begin) / 1e6;
        double decodeRate = steps > 1 ? (steps - 1) / (decodeNanos / 1e9) : Double.NaN;
        return new GenerationResult(
                Arrays.copyOf(tokens, length),
                prompt.length,
                reason,
                prefillNanos / 1e6,
                decodeRate,
                totalMillis);
    }

    private static void checkPrompt(int[] prompt, GptConfig config, GenerationOptions options) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt: give at least one token");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "prompt token id "
                                + prompt[i]
                                + " at index "
                                + i
                                + " is out of range: the vocabulary has ids 0.."
                                + (config.vocabSize() - 1));
            }
        }
        if (options.contextPolicy() == ContextPolicy.STOP
                && prompt.length > config.contextLength()) {
            throw new IllegalArgumentException(
                    "prompt has "
                            + prompt.length
                            + " tokens but the context holds "
                            + config.contextLength()
                            + "; use the shift policy to keep its end");
        }
    }
}
