package dev.tinygpt.sampling;

/**
 * One step of shaping the next-token logits, as a Hugging Face {@code LogitsProcessor} or {@code
 * LogitsWarper}: it rewrites one row of {@code V} logits in place, given the row's whole sequence
 * so far (prompt and generated tokens). A banned token gets {@link Float#NEGATIVE_INFINITY}, as
 * HF's {@code -inf} filter value.
 */
@FunctionalInterface
public interface LogitsProcessor {

    /**
     * @param tokens the sequence so far is {@code tokens[0..length)}; later entries are ignored
     * @param length how many tokens of {@code tokens} are the sequence
     * @param logits one row of size {@code V}, modified in place
     */
    void process(int[] tokens, int length, float[] logits);
}
