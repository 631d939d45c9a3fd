package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.ParameterSummary;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt init}: writes a freshly initialised model directory (GPT-2 initialisation from a
 * seed). {@code models/exercise} is made with {@code tinygpt init --preset exercise --seed 1234
 * --out models/exercise}.
 */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = "Write a new model directory with GPT-2's initialisation from a seed.")
final class InitCommand implements Callable<Integer> {
    @Option(
            names = "--preset",
            required = true,
            paramLabel = "NAME",
            completionCandidates = Presets.Names.class,
            description =
                    "The model's shape: ${COMPLETION-CANDIDATES} (char models come from train).")
    String preset;

    @Option(
            names = "--seed",
            defaultValue = "1234",
            paramLabel = "S",
            description = "RNG seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin OutputOption out = new OutputOption();

    @Override
    public Integer call() throws Exception {
        Preset p = Presets.byName(preset);
        if (p.charLevel()) {
            throw new IllegalArgumentException(
                    "--preset "
                            + preset
                            + " is a char model, whose vocabulary comes from its corpus: make it"
                            + " with train");
        }
        GptConfig config = p.config();
        // The exercise's 20-word vocabulary goes with the exercise preset; others are ids only.
        WordTokenizer tokenizer = "exercise".equals(preset) ? WordTokenizer.exercise() : null;
        Status status = new Status(false);
        status.interactive(
                "initialising %s parameters…",
                ParameterSummary.count(new GptModel(config).parameterCount()));
        try (LanguageModel lm = LanguageModel.create(config, seed, tokenizer)) {
            out.write(lm::save);
            System.out.println(
                    "wrote "
                            + out.dir
                            + " ("
                            + preset
                            + ", seed "
                            + seed
                            + ", "
                            + ParameterSummary.count(lm.block().parameterCount())
                            + " parameters)");
        }
        return 0;
    }
}
