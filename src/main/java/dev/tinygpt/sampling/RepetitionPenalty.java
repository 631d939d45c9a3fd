package dev.tinygpt.sampling;

/**
 * The CTRL repetition penalty (Keskar et al. 2019) as HF's {@code
 * RepetitionPenaltyLogitsProcessor}: for every distinct token id in the sequence, a negative logit
 * is multiplied by the penalty and any other logit divided by it, so a penalty above 1 always makes
 * a seen token less likely. Each id is penalised once however often it occurs (HF gathers, then
 * scatters).
 */
public record RepetitionPenalty(float penalty) implements LogitsProcessor {

    public RepetitionPenalty {
        if (!(penalty > 0) || Float.isInfinite(penalty)) {
            throw new IllegalArgumentException(
                    "repetition_penalty must be a finite number > 0, got " + penalty);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < length; i++) {
            int id = tokens[i];
            if (id < 0 || id >= logits.length) {
                throw new IllegalArgumentException(
                        "token id " + id + " is outside the vocabulary [0, " + logits.length + ")");
            }
            if (!done[id]) {
                done[id] = true;
                float x = logits[id];
                logits[id] = x < 0 ? x * penalty : x / penalty;
            }
        }
    }
}
