package dev.tinygpt.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.serving.http.CompletionServer;
import dev.tinygpt.serving.http.ServerOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bench --suite serve}: the OpenAI-compatible server on a model directory, in this JVM (or a
 * server already running at a URL), driven over loopback by 1, 4 and 16 (say) concurrent streaming
 * clients under bounded load, then soaked with many short requests. Per client count: aggregate
 * completion tokens/s (the tokens the server's usage reports, over the wall time), p50/p99 time to
 * first token and inter-token latency (between consecutive streamed chunks with text), errors. For
 * the soak: live NDArrays under the model's manager, the process's RSS and its Java heap in use,
 * read while the server is idle.
 */
public final class ServeSuite {
    static final String PROMPT = "ROMEO:\nBut soft, what light through yonder window breaks?\n";

    /** Long enough for a slow machine; only a hang should reach it. */
    private static final Duration BOUND = Duration.ofMinutes(30);

    /** tokens of each soak request. */
    static final int SOAK_TOKENS = 16;

    static final int SOAK_CLIENTS = 4;

    private final int requests;
    private final int maxTokens;

    /**
     * @param requests requests each client sends at each client count
     * @param maxTokens {@code max_tokens} of every measured request
     */
    public ServeSuite(int requests, int maxTokens) {
        this.requests = requests;
        this.maxTokens = maxTokens;
    }

    /** One client count's figures (latencies in milliseconds). */
    public record Row(
            int clients,
            int requests,
            long errors,
            String firstError,
            long completionTokens,
            double wallSeconds,
            double tokensPerSecond,
            double ttftP50,
            double ttftP99,
            double itlP50,
            double itlP99) {}

    /**
     * The soak's reading after {@code requests} requests, with its errors so far and the first
     * one's message (null without); -1 where the server does not say (the heap is the Java heap in
     * use after a GC).
     */
    public record SoakSample(
            int requests,
            long errors,
            String firstError,
            long liveArrays,
            long rssBytes,
            long heapBytes) {}

    /** Everything one run measured. */
    public record Result(
            String model,
            int requestsPerClient,
            int maxTokens,
            List<Row> rows,
            List<SoakSample> soak) {
        /** The speedup of {@code row} over the 1-client row; NaN without one. */
        public double speedup(Row row) {
            return rows.stream()
                    .filter(r -> r.clients() == 1)
                    .findFirst()
                    .map(one -> row.tokensPerSecond() / one.tokensPerSecond())
                    .orElse(Double.NaN);
        }
    }

    /** The server measured: where it is, its live NDArrays, RSS and heap in use (-1: unknown). */
    interface Server {
        URI uri();

        long liveArrays();

        long residentBytes();

        long heapBytes();
    }

    /**
     * Serves {@code model} from this JVM ({@link CompletionServer} on a free loopback port, {@code
     * --max-batch} the most clients), so the soak counts its live NDArrays exactly, and measures
     * it.
     */
    public Result runOn(Path model, int[] clients, int soakRequests)
            throws IOException, InterruptedException {
        int most = Arrays.stream(clients).max().orElse(1);
        ServerOptions options =
                ServerOptions.builder(model.toAbsolutePath().normalize().getFileName().toString())
                        .port(0)
                        .maxBatch(most)
                        .build();
        try (LanguageModel lm = LanguageModel.load(model);
                CompletionServer server = CompletionServer.start(lm, options)) {
            System.err.println("bench serve: serving " + model + " at " + server.url());
            Server s =
                    new Server() {
                        @Override
                        public URI uri() {
                            return URI.create(server.url());
                        }

                        @Override
                        public long liveArrays() {
                            return Soak.liveArrays(lm);
                        }

                        @Override
                        public long residentBytes() {
                            return MachineProbe.residentBytes();
                        }

                        @Override
                        public long heapBytes() {
                            System.gc(); // what is live, not garbage waiting for a collection
                            Runtime runtime = Runtime.getRuntime();
                            return runtime.totalMemory() - runtime.freeMemory();
                        }
                    };
            return run(s, clients, soakRequests);
        }
    }

    /**
     * Measures the server already running at {@code url}: its live NDArrays only if its {@code
     * /metrics} has {@code tinygpt_live_ndarrays}, its RSS unknown.
     */
    public Result runAt(URI url, int[] clients, int soakRequests)
            throws IOException, InterruptedException {
        Server s =
                new Server() {
                    @Override
                    public URI uri() {
                        return url;
                    }

                    @Override
                    public long liveArrays() {
                        return -1;
                    }

                    @Override
                    public long residentBytes() {
                        return -1;
                    }

                    @Override
                    public long heapBytes() {
                        return -1;
                    }
                };
        return run(s, clients, soakRequests);
    }

    /** Each client count (after a warm-up), then the soak. */
    Result run(Server server, int[] clients, int soakRequests)
            throws IOException, InterruptedException {
        CompletionClient client = new CompletionClient(server.uri());
        String model = servedModel(client);
        JsonObject request = request(model, maxTokens);
        int most = Arrays.stream(clients).max().orElse(1);
        ServeLoad.run(client, request, most, 1, BOUND); // warm-up, untimed
        ServeLoad.run(client, request, 1, 2, BOUND);
        List<Row> rows = new ArrayList<>();
        for (int c : clients) {
            rows.add(measure(client, request, c));
            System.err.println("bench serve: " + c + " clients done");
        }
        List<SoakSample> soak =
                soakRequests > 0 ? soak(client, server, model, soakRequests) : List.of();
        return new Result(model, requests, maxTokens, rows, soak);
    }

    /** The one model {@code /v1/models} lists. */
    static String servedModel(CompletionClient client) throws IOException, InterruptedException {
        JsonObject models = JsonParser.parseString(client.get("/v1/models")).getAsJsonObject();
        return models.getAsJsonArray("data").get(0).getAsJsonObject().get("id").getAsString();
    }

    /** The request every client sends (sampled; its seed set per request by the load). */
    static JsonObject request(String model, int tokens) {
        JsonObject r = new JsonObject();
        r.addProperty("model", model);
        r.addProperty("prompt", PROMPT);
        r.addProperty("max_tokens", tokens);
        r.addProperty("temperature", 0.8);
        r.addProperty("top_k", 50);
        JsonObject usage = new JsonObject();
        usage.addProperty("include_usage", true);
        r.add("stream_options", usage);
        return r;
    }

    private Row measure(CompletionClient client, JsonObject request, int clients)
            throws InterruptedException {
        ServeLoad.Result load = ServeLoad.run(client, request, clients, requests, BOUND);
        long tokens = load.completionTokens();
        double[] ttft = load.timeToFirstTokenMillis();
        double[] itl = load.interTokenMillis();
        return new Row(
                clients,
                load.requests().size(),
                load.errors(),
                load.firstError(),
                tokens,
                load.wallSeconds(),
                tokens / load.wallSeconds(),
                Stats.percentile(50, ttft),
                Stats.percentile(99, ttft),
                Stats.percentile(50, itl),
                Stats.percentile(99, itl));
    }

    /**
     * {@code total} requests of {@value #SOAK_TOKENS} tokens from {@value #SOAK_CLIENTS} clients in
     * five rounds; after an untimed first round (warm-up) and each later one, the server is idle
     * and read.
     */
    private static List<SoakSample> soak(
            CompletionClient client, Server server, String model, int total)
            throws IOException, InterruptedException {
        JsonObject shortRequest = request(model, SOAK_TOKENS);
        int round = Math.max(SOAK_CLIENTS, total / 5);
        ServeLoad.run(client, shortRequest, SOAK_CLIENTS, round / SOAK_CLIENTS, BOUND);
        List<SoakSample> samples = new ArrayList<>();
        long errors = 0;
        String first = null;
        samples.add(sample(client, server, 0, errors, first));
        for (int done = 0; done < total; ) {
            int perClient = Math.max(1, Math.min(round, total - done) / SOAK_CLIENTS);
            ServeLoad.Result r =
                    ServeLoad.run(client, shortRequest, SOAK_CLIENTS, perClient, BOUND);
            done += r.requests().size();
            errors += r.errors();
            first = first != null ? first : r.firstError();
            samples.add(sample(client, server, done, errors, first));
            System.err.println("bench serve: soak " + done + " requests");
        }
        return samples;
    }

    private static SoakSample sample(
            CompletionClient client, Server server, int done, long errors, String first)
            throws IOException, InterruptedException {
        awaitIdle(client);
        long arrays = settled(server);
        if (arrays < 0) {
            arrays = Math.round(client.metrics().sum("tinygpt_live_ndarrays").orElse(-1));
        }
        long heap = server.heapBytes();
        return new SoakSample(done, errors, first, arrays, server.residentBytes(), heap);
    }

    /**
     * Waits (up to 10 s) until {@code /metrics} shows no running row and an empty queue: a client
     * reads {@code [DONE]} a moment before the server retires the row.
     */
    private static void awaitIdle(CompletionClient client)
            throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            PrometheusText m = client.metrics();
            if (m.require("tinygpt_running_rows") == 0 && m.require("tinygpt_queue_depth") == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the server was not idle 10 s after its clients were done");
    }

    /** The live NDArrays once two readings 50 ms apart agree (a row's arrays freed last). */
    private static long settled(Server server) throws InterruptedException {
        long last = server.liveArrays();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(50);
            long now = server.liveArrays();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
