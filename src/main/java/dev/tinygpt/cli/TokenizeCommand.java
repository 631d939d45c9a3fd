package dev.tinygpt.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.io.TextFiles;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.tokenizer.VocabularyJson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt tokenize}: the ids of a text under a model directory's tokenizer. The directory
 * may hold only tokenizer files.
 */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {
            "Print the token ids of a text, comma-separated (ready for generate --prompt-ids).",
            "The directory may hold only tokenizer files."
        })
final class TokenizeCommand implements Callable<Integer> {
    @Mixin ModelOption model = new ModelOption();

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "The text to encode.")
        String text;

        @Option(
                names = "--file",
                paramLabel = "FILE",
                description = "Encode the contents of a UTF-8 file instead.")
        Path file;
    }

    @ArgGroup(multiplicity = "1")
    Input input;

    @Option(
            names = "--json",
            description = "Print {\"ids\": [...], \"count\": N, \"text\": decode(ids)}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = model.dir();
        Tokenizer tokenizer =
                ModelDirectory.readTokenizer(dir)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "no tokenizer files in "
                                                        + dir
                                                        + " (expected "
                                                        + VocabularyJson.FILE_NAME
                                                        + ", tokenizer.json, or vocab.json +"
                                                        + " merges.txt)"));
        String text =
                input.text != null
                        ? input.text
                        : TextFiles.readUtf8(input.file, TextFiles.MAX_TEXT_BYTES);
        int[] ids = tokenizer.encode(text);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (json) {
            JsonObject o = new JsonObject();
            JsonArray array = new JsonArray();
            Arrays.stream(ids).forEach(array::add);
            o.add("ids", array);
            o.addProperty("count", ids.length);
            o.addProperty("text", tokenizer.decode(ids));
            out.println(o);
        } else {
            out.println(
                    Arrays.stream(ids)
                            .mapToObj(Integer::toString)
                            .collect(Collectors.joining(",")));
        }
        return 0;
    }
}
