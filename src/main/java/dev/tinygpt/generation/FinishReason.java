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
    CONTEXT_FULL;

    /**
     * The lower-case name used in JSON output: {@code length}, {@code eos}, {@code stop}, {@code
     * context_full}.
     */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
