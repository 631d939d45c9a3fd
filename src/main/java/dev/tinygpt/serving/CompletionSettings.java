package dev.tinygpt.serving;

import dev.tinygpt.sampling.SamplingConfig;
import java.util.List;
import java.util.Objects;

/**
 * How one request generates, in OpenAI's terms (and vLLM's for {@code top_k}, {@code
 * repetition_penalty} and {@code min_tokens}). Each value is checked here against OpenAI's range,
 * naming the request field, so a bad one is a 400 that says which.
 *
 * @param maxTokens tokens to generate at most per choice (≥ 0)
 * @param temperature in [0, 2]; 0 is greedy and then top-p and top-k do not apply
 * @param topP nucleus in (0, 1]; 1 is off
 * @param topK the k most likely tokens; 0 or -1 is off
 * @param repetitionPenalty Hugging Face's, over prompt and completion; 1 is off
 * @param presencePenalty OpenAI's, in [-2, 2]
 * @param frequencyPenalty OpenAI's, in [-2, 2]
 * @param minTokens tokens before end-of-sequence and stop strings may end a choice
 * @param stop up to {@value #MAX_STOPS} stop strings, none empty; null is none
 * @param seed the seed of choice 0; choice i samples with seed + i
 * @param logprobs how many most likely tokens to return per position (0 … {@value #MAX_LOGPROBS}),
 *     or -1 for no log-probabilities
 * @param echo return the prompt before the completion
 * @param n choices per prompt (≥ 1)
 */
public record CompletionSettings(
        int maxTokens,
        float temperature,
        float topP,
        int topK,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        int minTokens,
        List<String> stop,
        long seed,
        int logprobs,
        boolean echo,
        int n) {

    /** OpenAI's limit on stop strings. */
    public static final int MAX_STOPS = 4;

    /** The most alternatives per position (vLLM's default limit; OpenAI's is 5). */
    public static final int MAX_LOGPROBS = 20;

    public CompletionSettings {
        require(
                stop == null || stop.stream().allMatch(Objects::nonNull),
                "stop",
                "must not hold null");
        stop = stop == null ? List.of() : List.copyOf(stop);
        require(maxTokens >= 0, "max_tokens", "must be ≥ 0, got " + maxTokens);
        require(temperature >= 0 && temperature <= 2, "temperature", range("[0, 2]", temperature));
        require(topP > 0 && topP <= 1, "top_p", range("(0, 1]", topP));
        require(topK >= -1, "top_k", "must be -1 or 0 (off) or ≥ 1, got " + topK);
        require(
                repetitionPenalty > 0 && Float.isFinite(repetitionPenalty),
                "repetition_penalty",
                "must be a finite number > 0, got " + repetitionPenalty);
        require(
                presencePenalty >= -2 && presencePenalty <= 2,
                "presence_penalty",
                range("[-2, 2]", presencePenalty));
        require(
                frequencyPenalty >= -2 && frequencyPenalty <= 2,
                "frequency_penalty",
                range("[-2, 2]", frequencyPenalty));
        require(
                minTokens >= 0 && minTokens <= maxTokens,
                "min_tokens",
                "must be in [0, max_tokens = " + maxTokens + "], got " + minTokens);
        require(
                stop.size() <= MAX_STOPS,
                "stop",
                "holds at most " + MAX_STOPS + " strings, got " + stop.size());
        require(stop.stream().noneMatch(String::isEmpty), "stop", "strings must not be empty");
        require(
                logprobs >= -1 && logprobs <= MAX_LOGPROBS,
                "logprobs",
                "must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        require(n >= 1, "n", "must be ≥ 1, got " + n);
    }

    /** OpenAI's defaults for completions: 16 tokens, temperature 1, one choice. */
    public static Builder builder() {
        return new Builder();
    }

    public boolean wantsLogprobs() {
        return logprobs >= 0;
    }

    /**
     * The Hugging Face part of the settings for choice {@code i}: greedy at temperature 0 (top-p
     * and top-k then ignored, as vLLM does), else sampled with seed + i.
     */
    public SamplingConfig sampling(int i) {
        if (temperature == 0) {
            return SamplingConfig.greedy().toBuilder().repetitionPenalty(repetitionPenalty).build();
        }
        return SamplingConfig.builder()
                .temperature(temperature)
                .topK(Math.max(topK, 0))
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .seed(seed + i)
                .build();
    }

    private static String range(String range, float value) {
        return "must be in " + range + ", got " + value;
    }

    private static void require(boolean ok, String param, String problem) {
        if (!ok) {
            throw ServingException.invalid(param, param + " " + problem);
        }
    }

    /** Builds {@link CompletionSettings}; they check themselves when built. */
    public static final class Builder {
        private int maxTokens = 16;
        private float temperature = 1f;
        private float topP = 1f;
        private int topK;
        private float repetitionPenalty = 1f;
        private float presencePenalty;
        private float frequencyPenalty;
        private int minTokens;
        private List<String> stop = List.of();
        private long seed;
        private int logprobs = -1;
        private boolean echo;
        private int n = 1;

        private Builder() {}

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder temperature(float v) {
            temperature = v;
            return this;
        }

        public Builder topP(float v) {
            topP = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder repetitionPenalty(float v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder presencePenalty(float v) {
            presencePenalty = v;
            return this;
        }

        public Builder frequencyPenalty(float v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder minTokens(int v) {
            minTokens = v;
            return this;
        }

        public Builder stop(List<String> v) {
            stop = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder logprobs(int v) {
            logprobs = v;
            return this;
        }

        public Builder echo(boolean v) {
            echo = v;
            return this;
        }

        public Builder n(int v) {
            n = v;
            return this;
        }

        public CompletionSettings build() {
            return new CompletionSettings(
                    maxTokens,
                    temperature,
                    topP,
                    topK,
                    repetitionPenalty,
                    presencePenalty,
                    frequencyPenalty,
                    minTokens,
                    stop,
                    seed,
                    logprobs,
                    echo,
                    n);
        }
    }
}
