package dev.tinygpt.training;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import java.nio.file.Path;

/**
 * Where a fine-tune starts: the weights, config and tokenizer of any model directory (a GPT-2
 * checkpoint, a char model of ours), nanoGPT's {@code init_from}. Every weight trains, or with
 * {@code lora} only LoRA adapters beside the frozen weights.
 *
 * @param base the model directory
 * @param context the context to train on, at most the model's {@code n_positions} (nanoGPT's {@code
 *     crop_block_size}: the position table keeps its first rows); null for the model's own
 * @param dropout the dropout to train with; null for the model's own ({@code resid_pdrop})
 * @param lora the adapters to train, or null to train every weight; their base model is set to
 *     {@code base}
 */
public record FineTune(Path base, Integer context, Float dropout, LoraConfig lora) {

    /** The shape the run trains: the base model's, with this fine-tune's context and dropout. */
    GptConfig config(GptConfig model) {
        int n = context == null ? model.contextLength() : context;
        if (n > model.contextLength()) {
            // No config key in the message: the CLI would turn n_positions into --context.
            throw new IllegalArgumentException(
                    "context ("
                            + n
                            + ") must be at most the model's context length, "
                            + model.contextLength());
        }
        return model.toBuilder()
                .contextLength(n)
                .dropout(dropout == null ? model.dropout() : dropout)
                .build();
    }

    /** The adapters, their base model named by its absolute path; null without. */
    LoraConfig adapters() {
        return lora == null
                ? null
                : lora.withBaseModel(base.toAbsolutePath().normalize().toString());
    }
}
