package dev.tinygpt.generation;

/**
 * Beam search settings, with Hugging Face's meanings.
 *
 * @param numBeams beams kept per prompt; 1 turns beam search off
 * @param lengthPenalty exponent on the generated length a finished beam's log-probability sum is
 *     divided by (> 0 favours longer sequences, < 0 shorter ones)
 * @param earlyStopping when a prompt's search ends: {@code TRUE} as soon as {@code numBeams}
 *     sequences finished, {@code FALSE} when no running beam can still beat the worst finished one
 *     (HF's heuristic), {@code NEVER} only when no beam can improve at all
 * @param numReturnSequences how many of the best finished sequences to return per prompt (≤
 *     numBeams)
 */
public record BeamOptions(
        int numBeams, float lengthPenalty, EarlyStopping earlyStopping, int numReturnSequences) {

    /** HF's {@code early_stopping} values. */
    public enum EarlyStopping {
        TRUE,
        FALSE,
        NEVER
    }

    /** No beam search. */
    public static final BeamOptions NONE = new BeamOptions(1, 1f, EarlyStopping.FALSE, 1);

    public BeamOptions {
        if (numBeams < 1) {
            throw new IllegalArgumentException("num_beams must be ≥ 1, got " + numBeams);
        }
        if (!Float.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException(
                    "length_penalty must be finite, got " + lengthPenalty);
        }
        if (earlyStopping == null) {
            throw new IllegalArgumentException("early_stopping is required");
        }
        if (numReturnSequences < 1 || numReturnSequences > numBeams) {
            throw new IllegalArgumentException(
                    "num_return_sequences must be in [1, num_beams = "
                            + numBeams
                            + "], got "
                            + numReturnSequences);
        }
    }

    public boolean enabled() {
        return numBeams > 1;
    }
}
