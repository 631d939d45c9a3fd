package dev.tinygpt.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model DIR} every command that reads a model takes. */
final class ModelOption {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description =
                    "Model directory; a relative path is also looked up in the tinygpt checkout"
                            + " (models/exercise works from anywhere).")
    String path;

    Path dir() {
        return ModelPaths.resolve(path);
    }
}
