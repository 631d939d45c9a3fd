package dev.tinygpt.config;

import java.util.List;

/**
 * A LoRA adapter's settings (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"),
 * with PEFT's names and meaning: each targeted projection {@code y = x·W + b} gains {@code ΔW =
 * (B·A)ᵀ·α/r} in GPT-2's Conv1D layout, {@code A [r, in]} and {@code B [out, r]}, so {@code y = x·W
 * + b + (dropout(x)·Aᵀ)·Bᵀ·α/r}.
 *
 * @param rank r, PEFT's {@code r}
 * @param alpha α, PEFT's {@code lora_alpha}; the update is scaled by α/r
 * @param dropout dropout on the adapter's input in training, PEFT's {@code lora_dropout}
 * @param targets PEFT's {@code target_modules}: a projection is adapted when its module name
 *     ({@code transformer.h.0.attn.c_attn}) equals an entry or ends with {@code "." + entry}, as
 *     PEFT matches them ({@code c_proj} takes both {@code attn.c_proj} and {@code mlp.c_proj})
 * @param baseModel PEFT's {@code base_model_name_or_path}: the model the adapter was trained on
 */
public record LoraConfig(
        int rank, float alpha, float dropout, List<String> targets, String baseModel) {

    /** PEFT's default targets for GPT-2: the fused query-key-value projection. */
    public static final List<String> DEFAULT_TARGETS = List.of("c_attn");

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("r (the LoRA rank) must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || !Float.isFinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be > 0 and finite, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("target_modules must name at least one module");
        }
        for (String t : targets) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException(
                        "target_modules must not hold an empty name: " + targets);
            }
        }
        targets = List.copyOf(targets);
        baseModel = baseModel == null ? "" : baseModel;
    }

    /** α/r, the factor of the update. */
    public float scale() {
        return alpha / rank;
    }

    /** Whether the module of this name (PEFT's, {@code transformer.h.0.attn.c_attn}) is adapted. */
    public boolean adapts(String module) {
        return targets.stream().anyMatch(t -> matches(module, t));
    }

    /** PEFT's rule: the name itself, or its last dot-separated parts. */
    public static boolean matches(String module, String target) {
        return module.equals(target) || module.endsWith("." + target);
    }

    /** This config with another base model. */
    public LoraConfig withBaseModel(String base) {
        return new LoraConfig(rank, alpha, dropout, targets, base);
    }
}
