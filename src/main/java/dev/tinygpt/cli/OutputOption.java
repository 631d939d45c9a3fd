package dev.tinygpt.cli;

import dev.tinygpt.io.DirectoryWriter;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR} and {@code --force}: where a command writes a new model directory. */
final class OutputOption {
    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write; it must be new or empty, unless --force.")
    Path dir;

    @Option(
            names = "--force",
            description = "Replace what --out holds (a model, a training run) with the new model.")
    boolean force;

    /** Writes the directory whole, refusing or replacing what is there (see DirectoryWriter). */
    void write(DirectoryWriter.Contents files) throws IOException {
        DirectoryWriter.write(dir, "--out", force, files);
    }
}
