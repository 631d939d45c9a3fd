package dev.tinygpt.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Picks the next token id from one row of logits, as HF's {@code generate()}: the processors of
 * {@link LogitsProcessors#of} run on a copy of the row, then either the argmax ({@link
 * Greedy#pick}, temperature 0) or one draw from the softmax ({@link Softmax}). The draw is an
 * inverse CDF over token ids in increasing order with a single {@code rng.nextDouble()}, in double
 * precision, so a given seed and config give the same tokens on every machine ({@link Random}'s
 * sequence and the softmax's arithmetic are specified). HF draws with {@code torch.multinomial}
 * instead, so the distribution matches HF, not the ids.
 *
 * <p>Nothing here sorts the whole row: top-k selects, top-p buckets, greedy scans once. A sampler
 * reuses its buffers from token to token, so it belongs to one generation (one thread) at a time.
 */
public final class Sampler {
    private final SamplingConfig config;
    private final List<LogitsProcessor> processors;
    private float[] row = new float[0]; // the processed copy of the logits, reused
    private double[] probabilities = new double[0]; // reused

    public Sampler(SamplingConfig config) {
        this(config, List.of());
    }

    /**
     * A sampler that runs {@code first} before the processors of {@code config}: what a server adds
     * per request (OpenAI's penalties, {@code min_tokens}), in vLLM's order, where the processors
     * of the config follow Hugging Face's.
     */
    public Sampler(SamplingConfig config, List<LogitsProcessor> first) {
        if (config == null) {
            throw new IllegalArgumentException("a sampling config is required");
        }
        this.config = config;
        List<LogitsProcessor> all = new ArrayList<>(first);
        all.addAll(LogitsProcessors.of(config));
        this.processors = List.copyOf(all);
    }

    /** What {@link #next} returns when the processors banned every token: nothing to pick. */
    public static final int NONE = -1;

    /**
     * @param tokens the row's sequence so far is {@code tokens[0..length)}
     * @param logits the next-token logits, size {@code V}; left unchanged
     * @param rng the source of the draw; unused in greedy mode
     * @return the next token id, or {@link #NONE} when the processors banned every token
     * @throws IllegalArgumentException for logits with NaN or {@code +inf}, or all {@code -inf}
     */
    public int next(int[] tokens, int length, float[] logits, Random rng) {
        return next(tokens, length, logits, 0, logits.length, rng);
    }

    /**
     * {@link #next(int[], int, float[], Random)} for logits read in place, {@code
     * values[offset..offset+vocab)} (a row of a batch's output, not copied out first).
     */
    public int next(int[] tokens, int length, float[] values, int offset, int vocab, Random rng) {
        if (length < 0 || length > tokens.length) {
            throw new IllegalArgumentException(
                    "length must be in [0, " + tokens.length + "], got " + length);
        }
        if (offset < 0 || vocab < 0 || offset > values.length - vocab) {
            throw new IllegalArgumentException(
                    "logits [" + offset + ", " + offset + " + " + vocab + ") outside the array");
        }
        if (vocab == 0) {
            throw new IllegalArgumentException("no logits to choose from");
        }
        if (!anyAllowed(values, offset, vocab, false)) {
            throw new IllegalArgumentException(
                    "logits are all -Infinity: every token is banned, nothing to pick");
        }
        if (processors.isEmpty() && config.isGreedy()) {
            return Greedy.pick(values, offset, vocab);
        }
        if (row.length != vocab) {
            row = new float[vocab];
            probabilities = new double[vocab];
        }
        System.arraycopy(values, offset, row, 0, vocab);
        for (LogitsProcessor processor : processors) {
            processor.process(tokens, length, row);
        }
        if (!anyAllowed(row, 0, vocab, true)) {
            return NONE;
        }
        if (config.isGreedy()) {
            return Greedy.pick(row);
        }
        return draw(Softmax.probabilities(row, probabilities), rng.nextDouble());
    }

    /** Inverse CDF: the first id whose cumulative probability passes {@code u} in [0, 1). */
    static int draw(double[] p, double u) {
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) {
                continue; // -inf (banned) or underflowed: never drawn
            }
            cumulative += p[i];
            last = i;
            if (u < cumulative) {
                return i;
            }
        }
        return last; // u fell in the rounding gap of the sum just below 1
    }

    /**
     * Whether any of the values is not {@code -inf}. NaN or {@code +inf} leave no distribution to
     * pick from: an error naming the token, and the processors when they ran.
     */
    private boolean anyAllowed(float[] values, int offset, int vocab, boolean processed) {
        boolean any = false;
        for (int i = 0; i < vocab; i++) {
            float x = values[offset + i];
            if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
                String what = processed ? "logits after " + processors : "logits";
                throw new IllegalArgumentException(what + " contain " + x + " at token id " + i);
            }
            any |= x != Float.NEGATIVE_INFINITY;
        }
        return any;
    }
}
