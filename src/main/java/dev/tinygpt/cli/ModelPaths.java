package dev.tinygpt.cli;

import dev.tinygpt.bench.BenchReport;
import dev.tinygpt.generation.LanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Resolves a {@code --model} path: as given when it exists, else relative to the tinygpt checkout
 * ({@code -Dtinygpt.home}, set by {@code bin/tinygpt}) so {@code models/exercise} works from any
 * directory.
 */
final class ModelPaths {
    static final String DEFAULT_MODEL = "models/exercise";

    private ModelPaths() {}

    /**
     * Loads the model at {@code dir} with the LoRA adapter in {@code adapter} (null: none), saying
     * so on a terminal: the weights' size before, the time after (GPT-2 small takes ~2 s).
     */
    static LanguageModel load(Path dir, Path adapter, Status status) throws IOException {
        long bytes = weightBytes(dir);
        if (bytes > 0) {
            status.interactive("loading %s (%s of weights)…", dir, BenchReport.humanBytes(bytes));
        }
        long start = System.nanoTime();
        LanguageModel lm = LanguageModel.load(dir, adapter);
        if (bytes > 0) {
            status.interactive("loaded in %.1f s", (System.nanoTime() - start) / 1e9);
        }
        return lm;
    }

    /** The size of a directory's safetensors files, 0 if none can be read. */
    private static long weightBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

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
