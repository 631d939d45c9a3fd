package dev.tinygpt.bench;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * Bounded load on a completions endpoint: each of {@code clients} streaming clients sends its next
 * request when its previous one has ended ({@code requests} times, or while a condition holds), so
 * the server holds at most {@code clients} requests at once. Request {@code i} of client {@code c}
 * samples with seed {@code 1000 c + i}.
 */
public final class ServeLoad {
    /** What the clients saw, and the wall time from the first send to the last end. */
    public record Result(int clients, List<StreamedCompletion> requests, long wallNanos) {
        public Result {
            requests = List.copyOf(requests);
        }

        public double wallSeconds() {
            return wallNanos / 1e9;
        }

        public long errors() {
            return requests.stream().filter(r -> !r.ok()).count();
        }

        /** The first error's message, for a report; null when none. */
        public String firstError() {
            return requests.stream()
                    .filter(r -> !r.ok())
                    .map(StreamedCompletion::error)
                    .findFirst()
                    .orElse(null);
        }

        /**
         * Completion tokens over all requests: as each one's usage reports them, or its chunks with
         * a choice where it reports none.
         */
        public long completionTokens() {
            return requests.stream()
                    .mapToLong(
                            r ->
                                    r.completionTokens() >= 0
                                            ? r.completionTokens()
                                            : r.tokenNanos().size())
                    .sum();
        }

        public double[] timeToFirstTokenMillis() {
            return requests.stream()
                    .flatMap(r -> r.timeToFirstTokenMillis().stream())
                    .mapToDouble(Double::doubleValue)
                    .toArray();
        }

        public double[] interTokenMillis() {
            return requests.stream()
                    .flatMap(r -> r.interTokenMillis().stream())
                    .mapToDouble(Double::doubleValue)
                    .toArray();
        }
    }

    private ServeLoad() {}

    /** Whether {@code request} says {@code "stream": false}: sent whole, not streamed. */
    private static boolean whole(JsonObject request) {
        return request.has("stream") && !request.get("stream").getAsBoolean();
    }

    /**
     * Runs the load; {@code request} is the body each request sends (its {@code seed} set per
     * request; streamed unless it says {@code "stream": false}). Fails if the load takes longer
     * than {@code bound}: a hang, not a slow server.
     */
    public static Result run(
            CompletionClient client, JsonObject request, int clients, int requests, Duration bound)
            throws InterruptedException {
        return run(client, request, clients, sent -> sent < requests, bound);
    }

    /**
     * Runs the load until each client's {@code more} says no: asked with the number of requests
     * that client has sent, before each next one.
     */
    public static Result run(
            CompletionClient client,
            JsonObject request,
            int clients,
            IntPredicate more,
            Duration bound)
            throws InterruptedException {
        List<StreamedCompletion> seen = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            for (int c = 0; c < clients; c++) {
                int id = c;
                pool.execute(
                        () -> {
                            for (int i = 0; more.test(i); i++) {
                                JsonObject body = request.deepCopy();
                                body.addProperty("seed", 1000 * id + i);
                                seen.add(whole(body) ? client.complete(body) : client.stream(body));
                            }
                        });
            }
            pool.shutdown();
            if (!pool.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        clients + " clients did not finish in " + bound.toSeconds() + " s");
            }
        } finally {
            pool.shutdownNow();
        }
        long end = seen.stream().mapToLong(StreamedCompletion::endNanos).max().orElse(start);
        return new Result(clients, seen, end - start);
    }
}
