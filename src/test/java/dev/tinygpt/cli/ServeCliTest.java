package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.CliRunner;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tinygpt serve} as a process: the one readiness line on stderr, the model directory's name
 * and chat template, and SIGTERM draining a running stream and exiting 0.
 */
class ServeCliTest {
    @TempDir Path dir;

    @Test
    void servesUntilSigtermThenDrainsAndExits0() throws Exception {
        Path model = dir.resolve("tiny-words");
        GptConfig config = GptConfig.exercise().toBuilder().contextLength(2048).build();
        try (LanguageModel lm = LanguageModel.create(config, 2, WordTokenizer.exercise())) {
            lm.save(model);
        }
        Files.writeString(
                model.resolve("tokenizer_config.json"),
                "{\"chat_template\":\"{% for m in messages %}{{ m['content'] }} {% endfor %}\"}");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.addAll(List.of("-Dai.djl.offline=true", "dev.tinygpt.cli.Main"));
        command.addAll(List.of("serve", "--model", model.toString(), "--port", "0"));
        Path log = dir.resolve("stderr.txt");
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(dir.resolve("stdout.txt").toFile())
                        .redirectError(log.toFile())
                        .start();
        try {
            String ready = firstLine(log, process, Duration.ofMinutes(3));
            Matcher m =
                    Pattern.compile("tinygpt serve: listening on http://127\\.0\\.0\\.1:(\\d+)")
                            .matcher(ready);
            assertTrue(m.matches(), ready);
            String base = "http://127.0.0.1:" + m.group(1);
            HttpClient client = HttpClient.newHttpClient();
            assertEquals("{\"status\":\"ok\"}", get(client, base + "/health").body());
            assertTrue(get(client, base + "/v1/models").body().contains("\"id\":\"tiny-words\""));
            HttpResponse<String> chat =
                    post(
                            client,
                            base + "/v1/chat/completions",
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"the cat\"}],"
                                    + "\"max_tokens\":3}");
            assertEquals(200, chat.statusCode(), chat.body());
            CompletableFuture<HttpResponse<String>> stream =
                    client.sendAsync(
                            request(
                                    base + "/v1/completions",
                                    "{\"prompt\":\"the\",\"max_tokens\":2000,\"stream\":true}"),
                            HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300); // the stream is running (or done): either way SIGTERM drains it
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "serve did not exit after SIGTERM");
            assertEquals(0, process.exitValue());
            HttpResponse<String> streamed = stream.get(60, TimeUnit.SECONDS);
            assertEquals(200, streamed.statusCode());
            assertTrue(streamed.body().contains("\"finish_reason\":\"length\""), streamed.body());
            assertTrue(streamed.body().endsWith("data: [DONE]\n\n"));
            List<String> lines = Files.readAllLines(log);
            assertEquals(ready, lines.get(0));
            assertEquals(
                    1,
                    lines.stream().filter(l -> l.contains("listening on")).count(),
                    "one readiness line: " + lines);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aTakenPortIsOneLineAndExitCode2() throws Exception {
        Path model = dir.resolve("m");
        try (LanguageModel lm =
                        LanguageModel.create(GptConfig.exercise(), 2, WordTokenizer.exercise());
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            lm.save(model);
            CliRunner.Run r =
                    CliRunner.run(
                            "serve",
                            "--model",
                            model.toString(),
                            "--port",
                            Integer.toString(taken.getLocalPort()));
            assertEquals(2, r.code(), r.err());
            assertEquals(
                    "tinygpt: cannot listen on 127.0.0.1:"
                            + taken.getLocalPort()
                            + ": Address already in use (--port 0 takes a free one)",
                    r.err().strip());
        }
    }

    /** The first line of the process's stderr, once written. */
    private static String firstLine(Path log, Process process, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            if (text.contains("\n")) {
                return text.substring(0, text.indexOf('\n'));
            }
            if (!process.isAlive()) {
                return "exited " + process.exitValue() + ": " + text;
            }
            Thread.sleep(50);
        }
        return "no line within " + timeout;
    }

    private static HttpRequest request(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body)
            throws Exception {
        return client.send(request(url, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
