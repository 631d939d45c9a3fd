package dev.tinygpt.serving;

import dev.tinygpt.config.GptConfig;

/** What a prompt must be before it is queued: ids the model has, room for the completion. */
final class PromptChecks {
    private PromptChecks() {}

    /**
     * @param index the prompt's place in the request, named in the message when there are several
     * @throws ServingException {@code INVALID}, naming the numbers
     */
    static void check(int[] prompt, int index, int maxTokens, GptConfig config) {
        if (prompt.length == 0) {
            throw ServingException.invalid(
                    "prompt", "prompt " + index + " is empty: give at least one token");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw ServingException.invalid(
                        "prompt",
                        "prompt "
                                + index
                                + ": token id "
                                + prompt[i]
                                + " at index "
                                + i
                                + " is out of range: the vocabulary has ids 0.."
                                + (config.vocabSize() - 1));
            }
        }
        long total = (long) prompt.length + maxTokens;
        if (total > config.contextLength()) {
            throw ServingException.invalid(
                    "max_tokens",
                    "this model's maximum context length is "
                            + config.contextLength()
                            + " tokens, but "
                            + total
                            + " were requested ("
                            + prompt.length
                            + " in prompt "
                            + index
                            + ", "
                            + maxTokens
                            + " in max_tokens): shorten the prompt or lower max_tokens");
        }
    }
}
