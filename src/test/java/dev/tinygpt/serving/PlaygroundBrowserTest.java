package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.testenv.Component;
import dev.tinygpt.testenv.TestComponents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground page ({@code GET /} of {@code tinygpt serve}) in headless Chromium, driven by
 * {@code src/test/browser/playground.mjs} (playwright-core) as a user would: it types a prompt,
 * sets the sampling controls and clicks Generate. The page must send those settings to {@code
 * /v1/completions}, show the text as it streams (more than one growing update of {@code #output}),
 * then the rate in {@code #stats}; a request the server refuses shows its message in {@code
 * #error}.
 */
class PlaygroundBrowserTest {
    private static final Path MODEL = Path.of("models", "shakespeare-char");
    private static final Pattern STATS =
            Pattern.compile("(\\d+) tokens in [0-9.]+ s: [0-9.]+ tokens/s");

    @TempDir static Path dir;
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws IOException {
        TestComponents.require(
                "PlaygroundBrowserTest",
                Component.CHROMIUM,
                Component.NODE,
                Component.PLAYWRIGHT_CORE);
        server =
                ServerProcess.start(
                        MODEL, List.of(), dir.resolve("serve.log"), Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void typedPromptAndControlsStreamTextIntoTheOutputThenTheRate() throws Exception {
        JsonObject page = drive("40");
        assertEquals("", page.get("error").getAsString(), page.toString());
        assertEquals(0, page.getAsJsonArray("pageErrors").size(), page.toString());
        JsonObject sent = page.getAsJsonObject("request");
        assertEquals("ROMEO:\nBut soft", sent.get("prompt").getAsString());
        assertEquals(40, sent.get("max_tokens").getAsInt());
        assertEquals(0.7, sent.get("temperature").getAsDouble());
        assertEquals(0.9, sent.get("top_p").getAsDouble());
        assertEquals(20, sent.get("top_k").getAsInt());
        assertTrue(sent.get("stream").getAsBoolean());

        String output = page.get("output").getAsString();
        JsonArray lengths = page.getAsJsonArray("lengths");
        assertTrue(lengths.size() > 1, "#output changed once: not streamed " + page);
        for (int i = 1; i < lengths.size(); i++) {
            assertTrue(
                    lengths.get(i).getAsInt() > lengths.get(i - 1).getAsInt(),
                    "#output did not grow at each update: " + lengths);
        }
        assertTrue(lengths.get(0).getAsInt() > 0, lengths.toString());
        assertEquals(output.length(), lengths.get(lengths.size() - 1).getAsInt());

        Matcher stats = STATS.matcher(page.get("stats").getAsString());
        assertTrue(stats.find(), "#stats shows no tokens/s: " + page.get("stats"));
        int tokens = Integer.parseInt(stats.group(1));
        assertTrue(tokens >= lengths.size() && tokens <= 40, tokens + " tokens, " + lengths);
    }

    @Test
    void aRefusedRequestShowsTheServersMessageInTheErrorBox() throws Exception {
        // shakespeare-char's context is 128 tokens: the prompt plus 1000 new ones is past it.
        JsonObject page = drive("1000");
        String error = page.get("error").getAsString();
        assertTrue(error.contains("128"), "#error does not name the context: " + page);
        assertEquals("", page.get("output").getAsString(), page.toString());
        assertEquals(0, page.getAsJsonArray("pageErrors").size(), page.toString());
    }

    @Test
    void aFractionalMaxTokensIsSentAsTypedForTheServerToRefuse() throws Exception {
        JsonObject page = drive("2.5"); // parseInt would have sent 2 and said nothing
        assertEquals(2.5, page.getAsJsonObject("request").get("max_tokens").getAsDouble());
        String error = page.get("error").getAsString();
        assertTrue(error.contains("must be an integer"), "#error: " + page);
        assertEquals("", page.get("output").getAsString(), page.toString());
    }

    /** Runs the page script with {@code maxTokens} in #max-tokens; what it saw. */
    private static JsonObject drive(String maxTokens) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "page", ".json");
        Path err = Files.createTempFile(dir, "page", ".err");
        Process node =
                new ProcessBuilder(
                                "node",
                                "playground.mjs",
                                server.uri() + "/",
                                maxTokens,
                                Component.CHROMIUM.executable().toString())
                        .directory(TestComponents.BROWSER_DIR.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        node.getOutputStream().close();
        if (!node.waitFor(2, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new AssertionError("playground.mjs did not finish in 2 min");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
        assertEquals(0, node.exitValue(), "playground.mjs: " + stderr + "; " + server.logTail());
        return JsonParser.parseString(Files.readString(out, StandardCharsets.UTF_8))
                .getAsJsonObject();
    }
}
