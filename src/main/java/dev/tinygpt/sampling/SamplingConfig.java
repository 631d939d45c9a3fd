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
 * Temperature, top-k and top-p only shape the distribution when sampling; the repetition penalty
 * and the n-gram ban apply in greedy mode too, as in HF.
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

    public SamplingConfig withTemperature(float t) {
        return new SamplingConfig(t, topK, topP, repetitionPenalty, noRepeatNgramSize, seed);
    }

    public SamplingConfig withTopK(int k) {
        return new SamplingConfig(temperature, k, topP, repetitionPenalty, noRepeatNgramSize, seed);
    }

    public SamplingConfig withTopP(float p) {
        return new SamplingConfig(temperature, topK, p, repetitionPenalty, noRepeatNgramSize, seed);
    }

    public SamplingConfig withRepetitionPenalty(float penalty) {
        return new SamplingConfig(temperature, topK, topP, penalty, noRepeatNgramSize, seed);
    }

    public SamplingConfig withNoRepeatNgramSize(int n) {
        return new SamplingConfig(temperature, topK, topP, repetitionPenalty, n, seed);
    }

    public SamplingConfig withSeed(long s) {
        return new SamplingConfig(temperature, topK, topP, repetitionPenalty, noRepeatNgramSize, s);
    }
}
