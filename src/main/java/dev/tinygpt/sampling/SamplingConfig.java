package dev.tinygpt.sampling;

import java.util.Random;

/**
 * How to pick each next token, with the semantics of Hugging Face transformers' {@code generate()}.
 * Each field maps to a {@code GenerationConfig} key:
 *
 * <pre>
 * temperature         temperature            0 = greedy (HF: do_sample=False); otherwise sample
 * topK                top_k                  keep the k largest logits; 0 = off
 * topP                top_p                  keep the smallest nucleus reaching top_p; 1 = off
 * repetitionPenalty   repetition_penalty     penalise tokens already in the sequence; 1 = off
 * noRepeatNgramSize   no_repeat_ngram_size   never repeat an n-gram of this size; 0 = off
 * seed                (torch.manual_seed)    seed for the {@link Random} that draws the tokens
 * </pre>
 *
 * Top-k and top-p shape the distribution when sampling, so they need a temperature above 0: a
 * config that asks for them with temperature 0 is refused (HF's {@code generate} would warn and
 * decode greedily), and a {@link #builder()} that sets them without a temperature samples at 1. The
 * repetition penalty and the n-gram ban apply in greedy mode too, as in HF.
 */
public record SamplingConfig(
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        int noRepeatNgramSize,
        long seed) {

    public SamplingConfig {
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be ≥ 0, got " + temperature);
        }
        if (Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be ≥ 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException(
                    "repetition_penalty must be > 0, got " + repetitionPenalty);
        }
        if (Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException(
                    "repetition_penalty must be finite, got " + repetitionPenalty);
        }
        if (noRepeatNgramSize < 0) {
            throw new IllegalArgumentException(
                    "no_repeat_ngram_size must be ≥ 0, got " + noRepeatNgramSize);
        }
        if (temperature == 0 && topK > 0) {
            throw new IllegalArgumentException(
                    "top_k " + topK + " needs sampling, but temperature 0 decodes greedily");
        }
        if (temperature == 0 && topP < 1) {
            throw new IllegalArgumentException(
                    "top_p " + topP + " needs sampling, but temperature 0 decodes greedily");
        }
    }

    /** Argmax decoding, nothing else: HF's {@code do_sample=False} with every option off. */
    public static SamplingConfig greedy() {
        return new SamplingConfig(0f, 0, 1f, 1f, 0, 0L);
    }

    /** Plain sampling from the softmax (temperature 1, no filters) with this seed. */
    public static SamplingConfig sampling(long seed) {
        return new SamplingConfig(1f, 0, 1f, 1f, 0, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /**
     * A fresh generator seeded with {@link #seed}: the same seed gives the same tokens anywhere.
     */
    public Random newRandom() {
        return new Random(seed);
    }

    /**
     * A builder: greedy by default; setting top-k or top-p without a temperature samples at
     * temperature 1; the seed defaults to 0.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to change some. */
    public Builder toBuilder() {
        return builder()
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .noRepeatNgramSize(noRepeatNgramSize)
                .seed(seed);
    }

    /** Builds a {@link SamplingConfig}; it validates itself when built. */
    public static final class Builder {
        private Float temperature;
        private int topK;
        private float topP = 1f;
        private float repetitionPenalty = 1f;
        private int noRepeatNgramSize;
        private long seed;

        private Builder() {}

        public Builder temperature(float t) {
            temperature = t;
            return this;
        }

        public Builder topK(int k) {
            topK = k;
            return this;
        }

        public Builder topP(float p) {
            topP = p;
            return this;
        }

        public Builder repetitionPenalty(float penalty) {
            repetitionPenalty = penalty;
            return this;
        }

        public Builder noRepeatNgramSize(int n) {
            noRepeatNgramSize = n;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public SamplingConfig build() {
            float t = temperature != null ? temperature : topK > 0 || topP < 1 ? 1f : 0f;
            return new SamplingConfig(t, topK, topP, repetitionPenalty, noRepeatNgramSize, seed);
        }
    }
}
