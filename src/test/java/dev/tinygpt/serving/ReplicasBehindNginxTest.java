package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tinygpt.bench.CompletionClient;
import dev.tinygpt.bench.PrometheusText;
import dev.tinygpt.bench.ServeLoad;
import dev.tinygpt.bench.StreamedCompletion;
import dev.tinygpt.testenv.Component;
import dev.tinygpt.testenv.TestComponents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code tinygpt serve} replicas behind Debian's nginx, configured by {@code
 * docs/nginx/tinygpt.conf}, under load (streamed requests, and whole ones, whose response begins
 * only when they are done); one replica is killed (SIGKILL) mid-run, while a probe stream it serves
 * is under way. Then: every request whose response had not begun when the kill came succeeds (nginx
 * retried it on the other replica: none is lost); every stream the kill cut, the probe's included,
 * ends with an error within seconds (never a hang, and never the client's own idle timeout); the
 * survivor's {@code /metrics} counts the requests that came after.
 */
class ReplicasBehindNginxTest {
    private static final Path MODEL = Path.of("models", "shakespeare-char");

    /** Only a hang should reach these. */
    private static final Duration IDLE = Duration.ofSeconds(30);

    private static final Duration LOAD_BOUND = Duration.ofMinutes(3);

    /** How soon after the kill a cut stream must have ended. */
    private static final long CUT_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Clients streaming, and clients asking for whole completions (their answer comes last). */
    private static final int STREAMING = 4;

    private static final int WHOLE = 4;

    @TempDir Path dir;

    @Test
    void aKilledReplicasRequestsGoToTheOtherAndItsCutStreamsEndWithAnError() throws Exception {
        TestComponents.require("ReplicasBehindNginxTest", Component.NGINX);
        List<ServerProcess> replicas = startReplicas(2);
        ServerProcess victim = replicas.get(0);
        ServerProcess survivor = replicas.get(1);
        ExecutorService background = Executors.newFixedThreadPool(2);
        try (NginxFront nginx = NginxFront.start(dir.resolve("nginx"), uris(replicas))) {
            CompletionClient viaNginx = new CompletionClient(nginx.uri(), IDLE);
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            Future<ServeLoad.Result> streamed =
                    background.submit(() -> load(viaNginx, request(48), STREAMING, killedAt));
            JsonObject whole = request(100);
            whole.addProperty("stream", false);
            Future<ServeLoad.Result> wholes =
                    background.submit(() -> load(viaNginx, whole, WHOLE, killedAt));
            ProbeStream probe = ProbeStream.openOn(nginx.uri(), address(victim), request(100));
            double survivorBefore = served(survivor);
            killedAt.set(System.nanoTime());
            victim.kill();
            ProbeStream.End cut = probe.rest(IDLE);
            long kill = killedAt.get();
            assertFalse(cut.done(), "the probe stream on the killed replica reached [DONE]");
            assertTrue(
                    cut.endNanos() - kill < CUT_WITHIN_NANOS,
                    "the cut probe stream ended " + (cut.endNanos() - kill) / 1e9 + " s after");
            List<StreamedCompletion> all = new ArrayList<>();
            all.addAll(streamed.get(LOAD_BOUND.toSeconds(), TimeUnit.SECONDS).requests());
            all.addAll(wholes.get(LOAD_BOUND.toSeconds(), TimeUnit.SECONDS).requests());
            check(all, kill, address(victim), address(survivor), served(survivor) - survivorBefore);
        } finally {
            background.shutdownNow();
            for (ServerProcess r : replicas) {
                r.close();
            }
        }
    }

    /**
     * Every request succeeded but the streams the killed replica had begun (nginx's {@code
     * $upstream_addr}, the {@code X-Upstream} header, names it alone: judged by who answered, not
     * by when the client saw the headers, which may lag the kill), and those ended within seconds
     * of the kill with an error of their own; the requests sent after the kill were answered by the
     * survivor, whose requests count rose by {@code moved}, at least as many.
     */
    private static void check(
            List<StreamedCompletion> all, long kill, String victim, String survivor, double moved) {
        List<String> lost =
                all.stream()
                        .filter(r -> !r.ok() && !begunBy(r, victim))
                        .map(r -> describe(r, kill))
                        .toList();
        assertEquals(List.of(), lost, "failed requests that the killed replica had not begun");
        List<StreamedCompletion> cut = all.stream().filter(r -> !r.ok()).toList();
        for (StreamedCompletion r : cut) {
            assertTrue(r.endNanos() - kill < CUT_WITHIN_NANOS, describe(r, kill));
            assertFalse(r.error().startsWith(CompletionClient.IDLE_ERROR), describe(r, kill));
        }
        List<StreamedCompletion> after = all.stream().filter(r -> r.sentNanos() > kill).toList();
        assertTrue(after.size() >= STREAMING, after.size() + " requests after the kill");
        for (StreamedCompletion r : after) {
            assertTrue(r.ok(), describe(r, kill));
            assertTrue(r.header("X-Upstream").orElse("").endsWith(survivor), describe(r, kill));
        }
        assertTrue(
                moved >= after.size(),
                "the survivor's tinygpt_requests_total{status=\"200\"} rose by "
                        + moved
                        + " while "
                        + after.size()
                        + " requests came after the kill");
        List<StreamedCompletion> retried =
                all.stream()
                        .filter(r -> r.ok() && r.header("X-Upstream").orElse("").contains(","))
                        .toList();
        // least_conn sends the first request after the kill to the dead replica, which has no
        // open request left (a cut stream does not mark it failed; the refused connection does).
        assertTrue(retried.size() >= 1, "no request was retried on the survivor");
        long inFlight = retried.stream().filter(r -> r.sentNanos() < kill).count();
        System.err.printf(
                "ReplicasBehindNginxTest: %d requests, %d cut by the kill (+ the probe), %d after"
                        + " it, %d retried by nginx (%d of them sent before the kill), all served"
                        + " by the survivor (+%.0f requests in its /metrics)%n",
                all.size(), cut.size(), after.size(), retried.size(), inFlight, moved);
    }

    /** Whether {@code r}'s response came from {@code replica} alone: it began there. */
    private static boolean begunBy(StreamedCompletion r, String replica) {
        return r.status() == 200 && r.header("X-Upstream").orElse("").equals(replica);
    }

    /** Streaming or whole requests of {@code clients} clients until 4 s after the kill. */
    private static ServeLoad.Result load(
            CompletionClient client, JsonObject request, int clients, AtomicLong killedAt)
            throws InterruptedException {
        return ServeLoad.run(
                client, request, clients, sent -> System.nanoTime() < stopAt(killedAt), LOAD_BOUND);
    }

    /** Load goes on 4 s after the kill (until the kill, whenever it comes). */
    private static long stopAt(AtomicLong killedAt) {
        long kill = killedAt.get();
        return kill == Long.MAX_VALUE ? Long.MAX_VALUE : kill + TimeUnit.SECONDS.toNanos(4);
    }

    /** The replicas started side by side (each a JVM loading the model). */
    private List<ServerProcess> startReplicas(int n) {
        List<CompletableFuture<ServerProcess>> starting =
                IntStream.range(0, n)
                        .mapToObj(
                                i ->
                                        CompletableFuture.supplyAsync(
                                                () -> {
                                                    try {
                                                        return ServerProcess.start(
                                                                MODEL,
                                                                List.of("--max-batch", "4"),
                                                                dir.resolve(
                                                                        "replica-" + i + ".log"),
                                                                Duration.ofMinutes(3));
                                                    } catch (IOException e) {
                                                        throw new UncheckedIOException(e);
                                                    }
                                                }))
                        .toList();
        return starting.stream().map(CompletableFuture::join).toList();
    }

    static JsonObject request(int maxTokens) {
        JsonObject r = new JsonObject();
        r.addProperty("model", "shakespeare-char");
        r.addProperty("prompt", "ROMEO:\n");
        r.addProperty("max_tokens", maxTokens);
        r.addProperty("temperature", 0.8);
        r.addProperty("seed", 1);
        return r;
    }

    private static List<URI> uris(List<ServerProcess> replicas) {
        return replicas.stream().map(ServerProcess::uri).toList();
    }

    /** {@code 127.0.0.1:PORT}, as nginx's {@code $upstream_addr} names a replica. */
    static String address(ServerProcess replica) {
        return replica.uri().getHost() + ":" + replica.uri().getPort();
    }

    /** Requests the replica has answered with 200, by its own {@code /metrics}. */
    private static double served(ServerProcess replica) throws Exception {
        PrometheusText metrics = new CompletionClient(replica.uri(), IDLE).metrics();
        return metrics.labelled("tinygpt_requests_total", "status", "200");
    }

    private static String describe(StreamedCompletion r, long kill) {
        return String.format(
                "request sent %+.2f s from the kill, headers %s, ended %+.2f s: %s (upstream %s)",
                (r.sentNanos() - kill) / 1e9,
                r.headersNanos() < 0
                        ? "never"
                        : String.format("%+.2f s", (r.headersNanos() - kill) / 1e9),
                (r.endNanos() - kill) / 1e9,
                r.error(),
                r.header("X-Upstream").orElse("?"));
    }
}
