package dev.tinygpt.sampling;

import java.util.Arrays;

/**
 * OpenAI's presence and frequency penalties: for every token id {@code j} the completion holds
 * {@code c[j]} times, {@code logit[j] -= c[j]·frequency + (c[j] > 0 ? presence : 0)}. Only the
 * completion counts, the tokens from {@code promptLength} on (OpenAI's definition, as vLLM applies
 * it), where the {@link RepetitionPenalty} also sees the prompt. Positive values make repeats less
 * likely, negative ones more.
 *
 * @param presence subtracted once from every token already generated, in [-2, 2] for OpenAI
 * @param frequency subtracted per occurrence
 * @param promptLength where the completion starts in the sequence
 */
public record OccurrencePenalties(float presence, float frequency, int promptLength)
        implements LogitsProcessor {

    public OccurrencePenalties {
        if (!Float.isFinite(presence) || !Float.isFinite(frequency)) {
            throw new IllegalArgumentException(
                    "presence and frequency penalties must be finite, got "
                            + presence
                            + " and "
                            + frequency);
        }
        if (promptLength < 0) {
            throw new IllegalArgumentException("prompt length must be ≥ 0, got " + promptLength);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        // The completion's ids sorted: each run of one id is its count (no boxed map per token).
        int[] ids = Arrays.copyOfRange(tokens, Math.min(promptLength, length), length);
        Arrays.sort(ids);
        for (int i = 0; i < ids.length; ) {
            int id = ids[i];
            if (id < 0 || id >= logits.length) {
                throw new IllegalArgumentException(
                        "token id " + id + " is outside the vocabulary [0, " + logits.length + ")");
            }
            int run = i;
            while (i < ids.length && ids[i] == id) {
                i++;
            }
            logits[id] -= (i - run) * frequency + presence;
        }
    }
}
