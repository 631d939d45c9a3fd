package dev.tinygpt.generation;

import java.util.Locale;

/** Why a sequence stopped growing. */
public enum FinishReason {
    /** It reached {@code max_new_tokens}. */
    LENGTH,
    /** It produced the model's end-of-sequence token (which is kept in the output). */
    EOS,
    /** Its generated text came to contain one of the stop strings. */
    STOP,
    /** It filled the context window under the {@link ContextPolicy#STOP} policy. */
    CONTEXT_FULL,
    /**
     * The logits processors banned every token (the n-gram ban on a small vocabulary): nothing was
     * left to generate, as Hugging Face stops when no token remains.
     */
    NO_ALLOWED_TOKEN;

    /**
     * The lower-case name used in JSON output: {@code length}, {@code eos}, {@code stop}, {@code
     * context_full}, {@code no_allowed_token}.
     */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
