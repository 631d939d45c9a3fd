package dev.tinygpt.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --adapter DIR} of the commands that run a model: a LoRA adapter to apply to it. */
final class AdapterOption {
    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description =
                    "A LoRA adapter directory (PEFT's format, as train --lora-rank writes it) to"
                            + " apply to the model (default: none).")
    Path dir;
}
