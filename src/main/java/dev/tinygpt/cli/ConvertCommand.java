package dev.tinygpt.cli;

import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt convert}: rewrites a model directory (one file or shards, any dtype) as one {@code
 * model.safetensors} in F32 or F16, with its config and tokenizer files.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Rewrite a model directory as a single model.safetensors in f32 or f16.")
final class ConvertCommand implements Callable<Integer> {
    private static final List<String> TOKENIZER_FILES =
            List.of("tinygpt-tokenizer.json", "tokenizer.json", "vocab.json", "merges.txt");

    @Mixin ModelOption model = new ModelOption();
    @Mixin OutputOption out = new OutputOption();

    @Option(
            names = "--dtype",
            defaultValue = "f32",
            paramLabel = "TYPE",
            description = "f32 or f16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Override
    public Integer call() throws Exception {
        boolean half =
                switch (dtype.toLowerCase(Locale.ROOT)) {
                    case "f32" -> false;
                    case "f16" -> true;
                    default ->
                            throw new IllegalArgumentException(
                                    "bad --dtype '" + dtype + "': expected f32 or f16");
                };
        Path source = model.dir();
        if (source.toAbsolutePath().normalize().equals(out.dir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out must differ from --model");
        }
        try (LanguageModel lm = LanguageModel.load(source)) {
            out.write(
                    dir -> {
                        ModelDirectory.save(dir, lm.block(), null, half);
                        for (String name : TOKENIZER_FILES) {
                            Path file = source.resolve(name);
                            if (Files.isRegularFile(file)) {
                                Files.copy(file, dir.resolve(name));
                            }
                        }
                    });
        }
        System.out.println("wrote " + out.dir + " (" + (half ? "f16" : "f32") + ")");
        return 0;
    }
}
