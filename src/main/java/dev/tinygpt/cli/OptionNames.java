package dev.tinygpt.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Puts the option the user typed into a validation message. The configs validate themselves and
 * name their keys as Hugging Face and nanoGPT do ({@code top_p must be in (0, 1], got 1.5}); on the
 * command line the same check reads {@code --top-p must be in (0, 1], got 1.5}. A key becomes
 * {@code --key-with-dashes} when the command has that option, or its alias below: the message's
 * leading word, and any other word with an underscore ({@code num_beams} in a message about {@code
 * num_return_sequences}).
 */
final class OptionNames {
    /** Keys whose option is not the key with dashes. */
    private static final Map<String, String> ALIASES =
            Map.of(
                    "learning_rate", "--lr",
                    "n_layer", "--layers",
                    "n_head", "--heads",
                    "n_embd", "--d-model",
                    "n_positions", "--context",
                    "r", "--lora-rank",
                    "target_modules", "--lora-targets");

    private OptionNames() {}

    private static final Pattern WORD = Pattern.compile("(?<![\\w-])[a-z][a-z0-9_]*(?![\\w-])");

    /** The message with its keys replaced by the command's options, where it has them. */
    static String rewrite(CommandSpec command, String message) {
        if (message == null) {
            return null;
        }
        Matcher m = WORD.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group();
            String option = ALIASES.getOrDefault(key, "--" + key.replace('_', '-'));
            boolean rename =
                    (m.start() == 0 || key.contains("_")) && command.findOption(option) != null;
            m.appendReplacement(out, Matcher.quoteReplacement(rename ? option : key));
        }
        m.appendTail(out);
        return out.toString();
    }
}
