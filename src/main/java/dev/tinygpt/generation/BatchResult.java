package dev.tinygpt.generation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequences of one batched generation (in prompt order; beam search returns {@code
 * num_return_sequences} per prompt) and how long it took.
 *
 * @param prefillMillis time of the first model step (all prompts)
 * @param decodeTokensPerSecond tokens produced by the later steps per second of those steps; NaN
 *     when there were none
 * @param totalMillis wall time of the whole generation
 */
public record BatchResult(
        List<SequenceResult> sequences,
        double prefillMillis,
        double decodeTokensPerSecond,
        double totalMillis) {

    public BatchResult {
        sequences = List.copyOf(sequences);
    }

    /** From the run's timings in nanoseconds; no decode time gives a NaN decode rate. */
    static BatchResult timed(
            List<SequenceResult> sequences,
            long prefillNanos,
            long decodeTokens,
            long decodeNanos,
            long totalNanos) {
        double rate = decodeNanos > 0 ? decodeTokens / (decodeNanos / 1e9) : Double.NaN;
        return new BatchResult(sequences, prefillNanos / 1e6, rate, totalNanos / 1e6);
    }

    /** Tokens in the prompts (each prompt counted once, however many sequences it returned). */
    public int promptTokens() {
        Map<Integer, Integer> byPrompt = new HashMap<>();
        sequences.forEach(s -> byPrompt.put(s.promptIndex(), s.promptTokens()));
        return byPrompt.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Generated tokens over all returned sequences. */
    public int generatedTokens() {
        return sequences.stream().mapToInt(SequenceResult::generatedTokens).sum();
    }
}
