package dev.tinygpt.cli;

import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.training.FineTune;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options of {@code train} that fine-tune a model instead of training a new one: {@code
 * --init-from} (nanoGPT's {@code init_from}) and LoRA's ({@code --lora-rank} and what qualifies
 * it). An option that would have no effect is refused by name: LoRA's without {@code --lora-rank}
 * or {@code --init-from}, a model shape or vocabulary option with {@code --init-from}.
 */
final class FineTuneOptions {
    /** What --init-from fixes: the model's shape and its tokenizer. */
    private static final List<String> FROM_THE_MODEL =
            List.of("--preset", "--layers", "--heads", "--d-model", "--unk");

    private static final List<String> QUALIFIERS =
            List.of("--lora-alpha", "--lora-dropout", "--lora-targets");

    @Option(
            names = "--init-from",
            paramLabel = "DIR",
            description =
                    "Fine-tune: start from this model directory's weights, config and tokenizer,"
                            + " GPT-2 checkpoints and char models alike (default: none, a new"
                            + " model with GPT-2's initialisation).")
    String initFrom;

    @Option(
            names = "--lora-rank",
            paramLabel = "R",
            description =
                    "Train LoRA adapters of rank R beside the frozen weights, written as a PEFT"
                            + " adapter directory; needs --init-from (default: none, every weight"
                            + " trains).")
    Integer loraRank;

    @Option(
            names = "--lora-alpha",
            paramLabel = "A",
            description = "LoRA's α: the update is scaled by α/r (default: the rank, so α/r = 1).")
    Float loraAlpha;

    @Option(
            names = "--lora-dropout",
            paramLabel = "P",
            description = "Dropout on the adapters' input in training (default: 0).")
    Float loraDropout;

    @Option(
            names = "--lora-targets",
            split = ",",
            paramLabel = "NAMES",
            description =
                    "The projections to adapt, PEFT's target_modules: c_attn, c_proj (attention's"
                            + " and the MLP's), attn.c_proj, mlp.c_proj, c_fc (default: c_attn,"
                            + " PEFT's for GPT-2).")
    List<String> loraTargets;

    /** Every option of this group, for a resume to refuse: the run keeps what it started from. */
    static List<String> names() {
        return Stream.concat(Stream.of("--init-from", "--lora-rank"), QUALIFIERS.stream()).toList();
    }

    /** Refuses the options that would be ignored, given what else was typed. */
    void refuseIgnored(ParseResult typed) {
        for (String option : QUALIFIERS) {
            if (typed.hasMatchedOption(option) && loraRank == null) {
                throw new IllegalArgumentException(option + " needs --lora-rank");
            }
        }
        if (initFrom == null) {
            if (loraRank != null) {
                throw new IllegalArgumentException(
                        "--lora-rank needs --init-from DIR (LoRA adapts a trained model)");
            }
            return;
        }
        for (String option : FROM_THE_MODEL) {
            if (typed.hasMatchedOption(option)) {
                throw new IllegalArgumentException(
                        option
                                + " cannot be given with --init-from: the model's shape and"
                                + " tokenizer come from "
                                + initFrom);
            }
        }
    }

    /** The fine-tune asked for, with the context and dropout typed (null: the model's). */
    FineTune fineTune(Integer context, Float dropout) {
        LoraConfig lora = null;
        if (loraRank != null) {
            lora =
                    new LoraConfig(
                            loraRank,
                            loraAlpha != null ? loraAlpha : loraRank,
                            loraDropout != null ? loraDropout : 0f,
                            loraTargets != null ? loraTargets : LoraConfig.DEFAULT_TARGETS,
                            "");
        }
        return new FineTune(ModelPaths.resolve(initFrom), context, dropout, lora);
    }
}
