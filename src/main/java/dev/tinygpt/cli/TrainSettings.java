package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.training.TrainingRun;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ParseResult;

/**
 * What a training run is made of, option by option: the model's shape, the training options and the
 * vocabulary. A preset's values are the defaults {@code train --help} shows; a resumed run's are
 * fixed, and an option typed with {@code --resume} is refused by name with the run's value (only
 * {@code --max-iters} may change).
 *
 * @param unk whether the vocabulary has an {@code <unk>} token
 */
record TrainSettings(GptConfig config, TrainingOptions options, boolean unk) {
    /** The options {@code train} sets a run with, and where each one's value lives. */
    private static final Map<String, Function<TrainSettings, Object>> VALUES =
            new LinkedHashMap<>();

    static {
        VALUES.put("--layers", s -> s.config().layers());
        VALUES.put("--heads", s -> s.config().heads());
        VALUES.put("--d-model", s -> s.config().dModel());
        VALUES.put("--context", s -> s.config().contextLength());
        VALUES.put("--dropout", s -> s.config().dropout());
        VALUES.put("--unk", s -> s.unk() ? "on" : "off");
        VALUES.put("--max-iters", s -> s.options().maxIters());
        VALUES.put("--batch-size", s -> s.options().batchSize());
        VALUES.put("--lr", s -> s.options().learningRate());
        VALUES.put("--min-lr", s -> s.options().minLearningRate());
        VALUES.put("--warmup-iters", s -> s.options().warmupIters());
        VALUES.put("--weight-decay", s -> s.options().weightDecay());
        VALUES.put("--grad-clip", s -> s.options().gradClip());
        VALUES.put("--eval-interval", s -> s.options().evalInterval());
        VALUES.put("--eval-iters", s -> s.options().evalIters());
        VALUES.put("--val-fraction", s -> s.options().valFraction());
        VALUES.put("--seed", s -> s.options().seed());
    }

    /** The settings of a run. */
    static TrainSettings of(TrainingRun run) {
        return new TrainSettings(
                run.config(),
                run.options(),
                run.tokenizer() instanceof CharTokenizer chars && chars.unk().isPresent());
    }

    /** The options that have a value here, in {@code --help}'s order. */
    static Iterable<String> optionNames() {
        return VALUES.keySet();
    }

    /** The value of {@code option} as a person writes it: {@code 0.0001}, not {@code 1.0E-4}. */
    String value(String option) {
        Object value = VALUES.get(option).apply(this);
        if (value instanceof Float || value instanceof Double) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }

    /**
     * Refuses every option typed on the command line, even one equal to its default, that a resume
     * would otherwise ignore: the run keeps what it started with, except its total steps.
     */
    void refuseChangesOnResume(ParseResult typed) {
        if (typed.hasMatchedOption("--preset")) {
            throw new IllegalArgumentException(
                    "--preset cannot change on resume (the run keeps the model and settings it"
                            + " started with)");
        }
        for (String option : VALUES.keySet()) {
            if (!option.equals("--max-iters") && typed.hasMatchedOption(option)) {
                throw new IllegalArgumentException(
                        option + " cannot change on resume (the run's is " + value(option) + ")");
            }
        }
        for (String option : FineTuneOptions.names()) {
            if (typed.hasMatchedOption(option)) {
                throw new IllegalArgumentException(
                        option
                                + " cannot change on resume (the run keeps the model and adapters"
                                + " it started from)");
            }
        }
    }
}
