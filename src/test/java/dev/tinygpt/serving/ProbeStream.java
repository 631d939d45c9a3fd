package dev.tinygpt.serving;

import com.google.gson.JsonObject;
import dev.tinygpt.bench.ServerSentEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A streamed completion through a load balancer held open after its first event, so a test can act
 * (kill its replica) while it is surely under way, then read the rest with a time limit.
 */
final class ProbeStream {
    /**
     * How the rest of the stream went: whether it reached {@code [DONE]}, when and how it ended.
     */
    record End(boolean done, long endNanos, String error) {}

    private static final int ATTEMPTS = 20;

    private final InputStream body;
    private final BufferedReader lines;
    private final ServerSentEvents events;

    private ProbeStream(InputStream body, BufferedReader lines, ServerSentEvents events) {
        this.body = body;
        this.lines = lines;
        this.events = events;
    }

    /**
     * Opens streams of {@code request} at {@code front} until one is answered by {@code upstream}
     * (its {@code X-Upstream} header) and has sent its first event. The others are held open
     * meanwhile, so a balancer that counts open requests turns to {@code upstream}, then closed
     * (their clients gone).
     */
    static ProbeStream openOn(URI front, String upstream, JsonObject request)
            throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
        JsonObject body = request.deepCopy();
        body.addProperty("stream", true);
        HttpRequest post =
                HttpRequest.newBuilder(front.resolve("/v1/completions"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build();
        List<BufferedReader> others = new ArrayList<>();
        try {
            for (int i = 0; i < ATTEMPTS; i++) {
                HttpResponse<InputStream> response =
                        http.send(post, HttpResponse.BodyHandlers.ofInputStream());
                String answered = response.headers().firstValue("X-Upstream").orElse("");
                BufferedReader lines =
                        new BufferedReader(
                                new InputStreamReader(response.body(), StandardCharsets.UTF_8));
                if (response.statusCode() == 200 && answered.equals(upstream)) {
                    return firstEvent(response.body(), lines, upstream);
                }
                others.add(lines); // held open: least_conn then prefers the other replica
            }
        } finally {
            for (BufferedReader other : others) {
                other.close();
            }
        }
        throw new IOException("none of " + ATTEMPTS + " streams was answered by " + upstream);
    }

    private static ProbeStream firstEvent(InputStream body, BufferedReader lines, String upstream)
            throws IOException {
        ServerSentEvents events = new ServerSentEvents();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (events.line(line).isPresent()) {
                return new ProbeStream(body, lines, events);
            }
        }
        throw new IOException("the probe stream on " + upstream + " ended at once");
    }

    /** Reads the rest of the stream, closing it if it goes on past {@code limit}. */
    End rest(Duration limit) throws InterruptedException {
        CompletableFuture<End> reading = CompletableFuture.supplyAsync(this::readRest);
        try {
            return reading.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            return new End(
                    false, System.nanoTime(), "hung: no end within " + limit.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new End(false, System.nanoTime(), e.getCause().toString());
        }
    }

    private End readRest() {
        try (BufferedReader in = lines) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Optional<String> event = events.line(line);
                if (event.isPresent() && event.get().equals("[DONE]")) {
                    return new End(true, System.nanoTime(), null);
                }
            }
            return new End(false, System.nanoTime(), "ended without [DONE]");
        } catch (IOException e) {
            return new End(false, System.nanoTime(), e.toString());
        }
    }

    private void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing is all that is left
        }
    }
}
