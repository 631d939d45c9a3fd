package dev.tinygpt.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a {@code --model} path: as given when it exists, else relative to the tinygpt checkout
 * ({@code -Dtinygpt.home}, set by {@code bin/tinygpt}) so {@code models/exercise} works from any
 * directory.
 */
final class ModelPaths {
    static final String DEFAULT_MODEL = "models/exercise";

    private ModelPaths() {}

    static Path resolve(String path) {
        Path given = Path.of(path);
        String home = System.getProperty("tinygpt.home");
        if (Files.exists(given) || given.isAbsolute() || home == null) {
            return given;
        }
        Path inHome = Path.of(home).resolve(given);
        return Files.exists(inHome) ? inHome : given;
    }
}
