package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
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
                description = "A built-in config instead: exercise, gpt2-small.")
        String preset;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Override
    public Integer call() throws IOException {
        GptConfig config =
                source.preset != null
                        ? Presets.byName(source.preset)
                        : ModelDirectory.readConfig(ModelPaths.resolve(source.model));
        System.out.println("Config: " + config.describe());
        System.out.print(ParameterSummary.format(new GptModel(config)));
        return 0;
    }
}
