package dev.tinygpt.translator;

import dev.tinygpt.config.GptConfig;

/**
 * Checks a step's ids and positions in Java before they reach the engine, so a bad id is an {@link
 * IllegalArgumentException} naming it, not a native "index out of range" from libtorch.
 */
final class StepChecks {
    private StepChecks() {}

    static void tokenIds(long[] ids, GptConfig config) {
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "token id "
                                + id
                                + " at index "
                                + i
                                + " is out of range: the vocabulary has ids 0.."
                                + (config.vocabSize() - 1));
            }
        }
    }

    static void positionIds(long[] positions, GptConfig config) {
        for (long p : positions) {
            if (p < 0 || p >= config.contextLength()) {
                throw new IllegalArgumentException(
                        "position "
                                + p
                                + " is outside the context window: the model has positions 0.."
                                + (config.contextLength() - 1)
                                + " (n_positions = "
                                + config.contextLength()
                                + ")");
            }
        }
    }
}
