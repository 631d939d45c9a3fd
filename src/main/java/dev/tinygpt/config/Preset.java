package dev.tinygpt.config;

import java.util.Optional;

/**
 * A named model shape, and for a model trained from scratch its training settings. A char model's
 * vocabulary comes from its corpus: its config carries {@value #CHAR_VOCABULARY}, tinyshakespeare's
 * 65 characters, until training sets it.
 *
 * @param training the settings {@code train} uses, absent for a shape that is not trained here
 */
public record Preset(
        String name, String description, GptConfig config, Optional<TrainingOptions> training) {

    /** The vocabulary size a char preset shows before a corpus gives it one. */
    public static final int CHAR_VOCABULARY = 65;

    /** Whether the vocabulary comes from a corpus (a char model). */
    public boolean charLevel() {
        return training.isPresent();
    }
}
