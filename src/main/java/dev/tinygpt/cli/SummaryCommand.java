package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.ParameterSummary;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tinygpt summary}: the per-layer parameter table of a model directory or a preset. */
@Command(
        name = "summary",
        mixinStandardHelpOptions = true,
        description = "Print the per-layer parameter table: name, shape, count, block subtotals.")
final class SummaryCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "A model directory.")
        String model;

        @Option(
                names = "--preset",
                paramLabel = "NAME",
                completionCandidates = Presets.Names.class,
                description = "A preset instead: ${COMPLETION-CANDIDATES}.")
        String preset;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Override
    public Integer call() throws IOException {
        GptConfig config;
        if (source.preset != null) {
            Preset preset = Presets.byName(source.preset);
            config = preset.config();
            System.out.println("Preset " + preset.name() + ": " + preset.description());
            if (preset.charLevel()) {
                System.out.println(
                        "(vocab_size "
                                + Preset.CHAR_VOCABULARY
                                + " as for tinyshakespeare: train takes it from the corpus)");
            }
        } else {
            config = ModelDirectory.readConfig(ModelPaths.resolve(source.model));
        }
        System.out.println("Config: " + config.describe());
        System.out.print(ParameterSummary.format(new GptModel(config)));
        return 0;
    }
}
