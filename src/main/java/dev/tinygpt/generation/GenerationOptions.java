package dev.tinygpt.generation;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.SamplingConfig;
import java.util.List;

/**
 * How to generate.
 *
 * @param maxNewTokens how many tokens to generate at most per sequence (≥ 0)
 * @param useKvCache prefill once and then feed one token per step (true), or recompute the whole
 *     window every step (false); both give the same tokens
 * @param contextPolicy what to do past {@code n_positions}
 * @param contextShift how many tokens to drop when the window slides; 0 means {@code n_positions /
 *     2}
 * @param stopAtEos end a sequence at the model's EOS token (if its config has one)
 * @param sampling temperature, top-k, top-p, repetition penalty, no-repeat n-gram size and seed;
 *     temperature 0 is greedy
 * @param stopStrings end a sequence once its generated text contains one of these
 * @param beams beam search settings; one beam means no beam search
 */
public record GenerationOptions(
        int maxNewTokens,
        boolean useKvCache,
        ContextPolicy contextPolicy,
        int contextShift,
        boolean stopAtEos,
        SamplingConfig sampling,
        List<String> stopStrings,
        BeamOptions beams) {

    public static final int DEFAULT_MAX_NEW_TOKENS = 50;

    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException(
                    "max_new_tokens must be 0 or more, got " + maxNewTokens);
        }
        if (contextPolicy == null || sampling == null || beams == null) {
            throw new IllegalArgumentException("context policy, sampling and beams are required");
        }
        if (contextShift < 0) {
            throw new IllegalArgumentException(
                    "context_shift must be 0 (default) or positive, got " + contextShift);
        }
        stopStrings = List.copyOf(stopStrings);
        for (String stop : stopStrings) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        if (beams.enabled() && !sampling.isGreedy()) {
            // HF's beam sampling (do_sample with num_beams) is not implemented: say so, rather
            // than search deterministically and ignore the temperature.
            throw new IllegalArgumentException(
                    "num_beams "
                            + beams.numBeams()
                            + " searches deterministically; it cannot sample at temperature "
                            + sampling.temperature()
                            + " (beam sampling is not implemented)");
        }
    }

    /** Greedy, with the KV cache, sliding window, stopping at EOS. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return builder().maxNewTokens(maxNewTokens).build();
    }

    /** A builder with the defaults of {@link #greedy}: 50 tokens, greedy, with the KV cache. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some. */
    public Builder toBuilder() {
        return builder()
                .maxNewTokens(maxNewTokens)
                .kvCache(useKvCache)
                .contextPolicy(contextPolicy)
                .contextShift(contextShift)
                .stopAtEos(stopAtEos)
                .sampling(sampling)
                .stopStrings(stopStrings)
                .beams(beams);
    }

    /** Builds {@link GenerationOptions}; they validate themselves when built. */
    public static final class Builder {
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        private boolean kvCache = true;
        private ContextPolicy contextPolicy = ContextPolicy.SHIFT;
        private int contextShift;
        private boolean stopAtEos = true;
        private SamplingConfig sampling = SamplingConfig.greedy();
        private List<String> stopStrings = List.of();
        private BeamOptions beams = BeamOptions.NONE;

        private Builder() {}

        public Builder maxNewTokens(int n) {
            maxNewTokens = n;
            return this;
        }

        public Builder kvCache(boolean on) {
            kvCache = on;
            return this;
        }

        public Builder contextPolicy(ContextPolicy policy) {
            contextPolicy = policy;
            return this;
        }

        public Builder contextShift(int shift) {
            contextShift = shift;
            return this;
        }

        public Builder stopAtEos(boolean stop) {
            stopAtEos = stop;
            return this;
        }

        public Builder sampling(SamplingConfig config) {
            sampling = config;
            return this;
        }

        public Builder stopStrings(List<String> stops) {
            stopStrings = stops;
            return this;
        }

        public Builder beams(BeamOptions options) {
            beams = options;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(
                    maxNewTokens,
                    kvCache,
                    contextPolicy,
                    contextShift,
                    stopAtEos,
                    sampling,
                    stopStrings,
                    beams);
        }
    }

    /** The token that ends a sequence under these options, or -1 for none. */
    int eosTokenId(GptConfig config) {
        return stopAtEos && config.hasEos() ? config.eosTokenId() : -1;
    }

    /** The shift in tokens for a context of {@code n} positions. */
    int shiftFor(int n) {
        int shift = contextShift == 0 ? n / 2 : contextShift;
        if (shift < 1 || shift >= n) {
            throw new IllegalArgumentException(
                    "context_shift must be in [1, "
                            + (n - 1)
                            + "] for a context of "
                            + n
                            + " positions, got "
                            + shift);
        }
        return shift;
    }
}
