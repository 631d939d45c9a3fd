package dev.tinygpt.generation;

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
    }

    /** Greedy, with the KV cache, sliding window, stopping at EOS. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(
                maxNewTokens,
                true,
                ContextPolicy.SHIFT,
                0,
                true,
                SamplingConfig.greedy(),
                List.of(),
                BeamOptions.NONE);
    }

    public GenerationOptions withMaxNewTokens(int n) {
        return new GenerationOptions(
                n,
                useKvCache,
                contextPolicy,
                contextShift,
                stopAtEos,
                sampling,
                stopStrings,
                beams);
    }

    public GenerationOptions withKvCache(boolean on) {
        return new GenerationOptions(
                maxNewTokens,
                on,
                contextPolicy,
                contextShift,
                stopAtEos,
                sampling,
                stopStrings,
                beams);
    }

    public GenerationOptions withContextPolicy(ContextPolicy policy) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                policy,
                contextShift,
                stopAtEos,
                sampling,
                stopStrings,
                beams);
    }

    public GenerationOptions withContextShift(int shift) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                contextPolicy,
                shift,
                stopAtEos,
                sampling,
                stopStrings,
                beams);
    }

    public GenerationOptions withStopAtEos(boolean stop) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                contextPolicy,
                contextShift,
                stop,
                sampling,
                stopStrings,
                beams);
    }

    public GenerationOptions withSampling(SamplingConfig config) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                contextPolicy,
                contextShift,
                stopAtEos,
                config,
                stopStrings,
                beams);
    }

    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                contextPolicy,
                contextShift,
                stopAtEos,
                sampling,
                stops,
                beams);
    }

    public GenerationOptions withBeams(BeamOptions options) {
        return new GenerationOptions(
                maxNewTokens,
                useKvCache,
                contextPolicy,
                contextShift,
                stopAtEos,
                sampling,
                stopStrings,
                options);
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
