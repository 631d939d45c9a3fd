package dev.tinygpt.cli;

import dev.tinygpt.generation.LanguageModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt convert}: rewrites a model directory (one file or shards, any dtype) as one {@code
 * model.safetensors} in F32 or F16, with its config and tokenizer files; with {@code --adapter},
 * the LoRA adapter merged into the weights.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Rewrite a model directory as a single model.safetensors in f32 or f16.",
            "With --adapter, merge a LoRA adapter into the weights: a plain model that computes what"
                    + " the base model with the adapter computes."
        })
final class ConvertCommand implements Callable<Integer> {
    @Mixin ModelOption model = new ModelOption();
    @Mixin AdapterOption adapter = new AdapterOption();
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
        try (LanguageModel lm = LanguageModel.load(source, adapter.dir)) {
            out.write(dir -> lm.save(dir, half));
        }
        System.out.println(
                "wrote "
                        + out.dir
                        + " ("
                        + (half ? "f16" : "f32")
                        + (adapter.dir == null ? "" : ", " + adapter.dir + " merged")
                        + ")");
        return 0;
    }
}
