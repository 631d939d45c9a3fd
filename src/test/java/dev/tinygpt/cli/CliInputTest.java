package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.CliRunner;
import dev.tinygpt.CliRunner.Run;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where prompts come from, and small things a newcomer trips on. */
class CliInputTest {
    private static final String MODEL = "models/exercise";

    @TempDir Path dir;

    @Test
    void aPromptOfDashIsReadFromStandardInput() {
        Run fromStdin = withStdin("the cat\n", "--prompt", "-");
        Run fromArg = run("--prompt", "the cat");
        assertEquals(0, fromStdin.code(), fromStdin.err());
        assertEquals(fromArg.out(), fromStdin.out());
    }

    @Test
    void aJsonlPromptFileHoldsPromptsThatSpanLines() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("prompts.jsonl"),
                        "{\"prompt\": \"the cat\"}\n\n{\"prompt\": \"a red\\nbird\"}\n");
        Run r = run("--prompt-file", file.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonArray sequences =
                JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("sequences");
        assertEquals(2, sequences.size());
        JsonObject second = sequences.get(1).getAsJsonObject();
        assertEquals("a red bird", second.get("prompt_text").getAsString()); // words: \n splits
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"text\": \"x\"}\n");
        Run refused = run("--prompt-file", bad.toString());
        assertEquals(2, refused.code());
        assertTrue(
                refused.err().contains("bad.jsonl line 1: expected {\"prompt\": \"…\"}"),
                refused.err());
    }

    @Test
    void aByteOrderMarkAtTheStartOfAPromptFileIsDropped() throws Exception {
        Path file = dir.resolve("bom.txt");
        Files.write(file, ("\uFEFFthe cat\n").getBytes(StandardCharsets.UTF_8));
        Run r = run("--prompt-file", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(run("--prompt", "the cat").out(), r.out());
    }

    @Test
    void versionHelpAndValuesThatLookLikeOptions() {
        Run version = CliRunner.run("generate", "--version");
        assertEquals(0, version.code());
        assertEquals("tinygpt 0.1.0", version.out().strip());
        // "-the" is the prompt's text, not the options -t -h -e.
        Run dash = run("--prompt", "-the cat");
        assertEquals(2, dash.code());
        assertTrue(dash.err().contains("unknown word '-the'"), dash.err());
        Run summary = CliRunner.run("summary");
        assertEquals(2, summary.code());
        assertTrue(summary.err().startsWith("tinygpt: Missing required argument"), summary.err());
    }

    private static Run run(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "generate";
        all[1] = "--model";
        all[2] = MODEL;
        all[3] = "--quiet";
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRunner.run(all);
    }

    private static Run withStdin(String text, String... args) {
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            return run(args);
        } finally {
            System.setIn(in);
        }
    }
}
