package dev.tinygpt.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the processors a {@link SamplingConfig} asks for, in the order HF's {@code
 * GenerationMixin._get_logits_processor} composes them: the processors first (repetition penalty,
 * then the n-gram ban), then, only when sampling, the warpers (temperature, top-k, top-p). Options
 * that are off are left out.
 */
public final class LogitsProcessors {
    private LogitsProcessors() {}

    public static List<LogitsProcessor> of(SamplingConfig config) {
        List<LogitsProcessor> list = new ArrayList<>();
        if (config.repetitionPenalty() != 1f) {
            list.add(new RepetitionPenalty(config.repetitionPenalty()));
        }
        if (config.noRepeatNgramSize() > 0) {
            list.add(new NoRepeatNGram(config.noRepeatNgramSize()));
        }
        if (!config.isGreedy()) {
            if (config.temperature() != 1f) {
                list.add(new Temperature(config.temperature()));
            }
            if (config.topK() > 0) {
                list.add(new TopK(config.topK()));
            }
            if (config.topP() < 1f) {
                list.add(new TopP(config.topP()));
            }
        }
        return List.copyOf(list);
    }
}
