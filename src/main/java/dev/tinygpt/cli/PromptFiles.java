package dev.tinygpt.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts from a file or standard input: one per line (blank lines skipped), or, in a {@code
 * .jsonl} file, one JSON object {@code {"prompt": "…"}} per line, so a prompt may hold line breaks.
 * Text is read strictly as UTF-8, a byte order mark dropped.
 */
final class PromptFiles {
    private static String stdin;

    private PromptFiles() {}

    /** The prompts of {@code file} ({@code -}: standard input, one per line). */
    static List<String> read(String file) throws IOException {
        String text;
        if (file.equals("-")) {
            text = stdin();
        } else {
            Path path = Path.of(file);
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("prompt file not found: " + file);
            }
            text = TextFiles.readUtf8(path, TextFiles.MAX_TEXT_BYTES);
        }
        List<String> prompts = file.endsWith(".jsonl") ? jsonLines(text, file) : lines(text);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompt file " + file + " has no prompts");
        }
        return prompts;
    }

    /** All of standard input, read once however often it is asked for. */
    static synchronized String stdin() throws IOException {
        if (stdin == null) {
            stdin = TextFiles.readStdin(TextFiles.MAX_TEXT_BYTES);
        }
        return stdin;
    }

    /** Forgets standard input read by a command (tests run many commands in one process). */
    static synchronized void forget() {
        stdin = null;
    }

    private static List<String> lines(String text) {
        return text.lines().filter(line -> !line.isBlank()).toList();
    }

    private static List<String> jsonLines(String text, String file) {
        List<String> prompts = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonElement e;
            try {
                e = TextFiles.parseJson(line);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(
                        file + " line " + number + ": " + bad.getMessage(), bad);
            }
            JsonElement prompt = e.isJsonObject() ? ((JsonObject) e).get("prompt") : null;
            if (prompt == null
                    || !prompt.isJsonPrimitive()
                    || !prompt.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(
                        file + " line " + number + ": expected {\"prompt\": \"…\"}");
            }
            prompts.add(prompt.getAsString());
        }
        return prompts;
    }
}
