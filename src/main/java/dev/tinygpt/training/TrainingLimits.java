package dev.tinygpt.training;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;

/**
 * The sizes tinygpt trains with. The arrays of a step, its attention scores and the evaluation
 * batches are bounded before anything is allocated, so a mistyped option is an error naming it
 * rather than a native allocation failure.
 */
final class TrainingLimits {
    /** Tokens in one step's batch at most (nanoGPT's GPT-2 run takes ~0.5 M per step). */
    static final long MAX_TOKENS_PER_STEP = 1L << 20;

    /**
     * Attention scores one layer holds at most, {@code batch × n_head × context²} (1 GiB of
     * float32; GPT-2 small at batch 8 and context 1024 holds 100 M).
     */
    static final long MAX_ATTENTION_SCORES = 1L << 28;

    /** Tokens the fixed evaluation batches hold at most, {@code eval_iters × batch × context}. */
    static final long MAX_EVAL_TOKENS = 1L << 24;

    private TrainingLimits() {}

    /** Refuses a run whose batches would not fit. */
    static void requireFits(GptConfig config, TrainingOptions options) {
        long t = config.contextLength();
        long b = options.batchSize();
        requireAtMost("batch size × context", b * t, "tokens per step", MAX_TOKENS_PER_STEP);
        requireAtMost(
                "batch size × n_head × context²",
                b * config.heads() * t * t,
                "attention scores per layer",
                MAX_ATTENTION_SCORES);
        requireAtMost(
                "eval iterations × batch size × context",
                options.evalIters() * b * t,
                "evaluation tokens",
                MAX_EVAL_TOKENS);
    }

    private static void requireAtMost(String what, long value, String unit, long limit) {
        if (value > limit) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s = %,d %s is more than the %,d tinygpt trains with",
                            what, value, unit, limit));
        }
    }
}
