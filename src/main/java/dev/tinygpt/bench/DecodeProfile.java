package dev.tinygpt.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.tinygpt.engine.IntraOpThreads;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.profile.Profile;
import dev.tinygpt.sampling.SamplingConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where the time of a real decode step goes: generations through the public API (sampled with top-k
 * and top-p, streamed through the model's tokenizer, checked against a stop string), with a {@link
 * Profile} recording every section. A generation of N+1 tokens minus one of a single token (same
 * prompt, same seed) leaves N decode steps without the prefill; each kind's time, the step's wall
 * time and the rest (Java, DJL's bookkeeping, per-call overhead) are per step, medians over
 * repeats. Native calls per step come from libtorch's own profiler, counted the same way.
 */
public final class DecodeProfile {
    /** Streaming to nowhere: the text is made for the listener, which drops it. */
    private static final TokenListener DISCARD = (sequence, id, text) -> {};

    /** A stop string no generation produces: the rule runs on every token and never fires. */
    static final String STOP = "<|tinygpt profile: never produced|>";

    /**
     * @param stepMillis wall time of one decode step, everything included, not profiled
     * @param profiledStepMillis the same with every section timed (two clock reads each)
     * @param sectionsPerStep sections timed per step
     * @param kindMillis time per step in each kind of work
     * @param nativeCalls libtorch operators called per step
     * @param callsByOperator per step, by operator name
     */
    public record Result(
            int batch,
            double stepMillis,
            double profiledStepMillis,
            double sectionsPerStep,
            Map<Profile.Kind, Double> kindMillis,
            double nativeCalls,
            Map<String, Double> callsByOperator,
            Limits limits) {

        /** The decode step's matmul floor and bandwidth bound, measured between its samples. */
        public double floorShare() {
            return limits.floorMillis() / stepMillis;
        }

        /** The decode step's share of the bandwidth bound: weight bytes over read bandwidth. */
        public double bandwidthShare() {
            return limits.bytesPerToken() / (limits.readGBs() * 1e6) / stepMillis;
        }

        /** The profiled step's time outside every marked kind of work. */
        public double restMillis() {
            return profiledStepMillis
                    - kindMillis.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** The table: each kind of work, the rest and the step, in ms and % of the step. */
        public String markdown() {
            StringBuilder sb =
                    new StringBuilder("| work | ms per step | % of step |\n|---|---:|---:|\n");
            kindMillis.forEach((kind, ms) -> sb.append(row(kind.label(), ms)));
            sb.append(row("rest: Java, DJL bookkeeping, per-call overhead", restMillis()));
            sb.append(row("**decode step, profiled**", profiledStepMillis));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nDecode step without profiling: %.3f ms (%.1f tokens/s); timing its"
                                    + " %.0f sections added %.3f ms.%n",
                            stepMillis,
                            batch * 1000 / stepMillis,
                            sectionsPerStep,
                            profiledStepMillis - stepMillis));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "Native calls per step: %.0f libtorch operators (%s).%n",
                            nativeCalls,
                            topOperators(8)));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "Measured between the samples: this model's decode matmul floor %.3f ms"
                                    + " (%.1f tokens/s), so the step runs at %.0f%% of it; read"
                                    + " bandwidth %.1f GB/s over %.1f MB of weights per step,"
                                    + " a bound of %.1f tokens/s, so %.0f%% of it.%n",
                            limits.floorMillis(),
                            batch * 1000 / limits.floorMillis(),
                            100 * floorShare(),
                            limits.readGBs(),
                            limits.bytesPerToken() / 1e6,
                            batch * limits.readGBs() * 1e9 / limits.bytesPerToken(),
                            100 * bandwidthShare()));
            return sb.toString();
        }

        /** One JSON object: the step, each kind and the rest in ms, and the native calls. */
        public String json() {
            JsonObject o = new JsonObject();
            o.addProperty("step_ms", stepMillis);
            o.addProperty("batch", batch);
            o.addProperty("tokens_per_second", batch * 1000 / stepMillis);
            o.addProperty("profiled_step_ms", profiledStepMillis);
            o.addProperty("sections_per_step", sectionsPerStep);
            JsonObject kinds = new JsonObject();
            kindMillis.forEach(
                    (kind, ms) -> kinds.addProperty(kind.name().toLowerCase(Locale.ROOT), ms));
            o.add("kinds_ms", kinds);
            o.addProperty("rest_ms", restMillis());
            o.addProperty("native_calls_per_step", nativeCalls);
            JsonObject ops = new JsonObject();
            callsByOperator.forEach(ops::addProperty);
            o.add("native_calls_by_operator", ops);
            o.addProperty("decode_matmul_floor_ms", limits.floorMillis());
            o.addProperty("share_of_matmul_floor", floorShare());
            o.addProperty("read_bandwidth_gbps", limits.readGBs());
            o.addProperty("decode_bytes_per_token", limits.bytesPerToken());
            o.addProperty("share_of_bandwidth_bound", bandwidthShare());
            return new GsonBuilder().setPrettyPrinting().create().toJson(o);
        }

        private String row(String work, double ms) {
            return String.format(
                    Locale.ROOT,
                    "| %s | %.3f | %.1f%% |%n",
                    work,
                    ms,
                    100 * ms / profiledStepMillis);
        }

        /** The most called operators, "aten::matmul 73, …". */
        String topOperators(int n) {
            return callsByOperator.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(n)
                    .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
        }
    }

    /** Runs, then the result as one JSON object, or as a table under a title naming the model. */
    public String report(String model, int repeats, boolean json) throws IOException {
        Result r = run(repeats);
        return json ? r.json() : title(model, repeats) + "\n\n" + r.markdown();
    }

    private String title(String name, int repeats) {
        return String.format(
                Locale.ROOT,
                "## Decode step profile: %s (%,d parameters)%n%nBatch %d, %d-token prompts, %d"
                        + " decode steps sampled with temperature 0.8, top-k 50, top-p 0.95%s;"
                        + " intra-op threads %s; medians of %d repeats.",
                name,
                model.block().parameterCount(),
                batch,
                promptTokens,
                decodeSteps,
                model.tokenizer().isPresent()
                        ? ", streamed as text and checked against a stop string"
                        : " (no tokenizer: no streaming, no stop strings)",
                IntraOpThreads.describe(),
                repeats);
    }

    /** Warm-up: at least three generations and this long. */
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private final LanguageModel model;
    private final int promptTokens;
    private final int batch;
    private final int decodeSteps;

    /**
     * @param batch rows generated together (each with its own prompt)
     */
    public DecodeProfile(LanguageModel model, int promptTokens, int decodeSteps, int batch) {
        if (promptTokens < 1 || decodeSteps < 1 || batch < 1) {
            throw new IllegalArgumentException("the profile needs a prompt, a row and a step");
        }
        if (promptTokens + decodeSteps + 1 > model.config().contextLength()) {
            throw new IllegalArgumentException(
                    "a prompt of "
                            + promptTokens
                            + " and "
                            + decodeSteps
                            + " decode steps do not fit the model's context of "
                            + model.config().contextLength()
                            + " positions");
        }
        this.model = model;
        this.promptTokens = promptTokens;
        this.decodeSteps = decodeSteps;
        this.batch = batch;
    }

    /**
     * Warms up (the JIT compiles the Java side: a cold run is several times slower on a small
     * model), then profiles {@code repeats} times and takes the medians.
     */
    public Result run(int repeats) throws IOException {
        List<int[]> prompt = prompts();
        long warmEnd = System.nanoTime() + WARM_UP_NANOS;
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) {
            decode(prompt, i % 2 == 0);
        }
        List<Double> steps = new ArrayList<>();
        List<Double> profiledSteps = new ArrayList<>();
        List<Double> sections = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        List<Double> reads = new ArrayList<>();
        Map<Profile.Kind, List<Double>> kinds = new EnumMap<>(Profile.Kind.class);
        long bytes;
        int threads = IntraOpThreads.forWork(model.config().stepFlops(batch, 1, promptTokens));
        try (DecodeMatmulFloor floor = new DecodeMatmulFloor(model.config(), batch);
                ReadBandwidth bandwidth = new ReadBandwidth(IntraOpThreads.cores())) {
            bytes = floor.bytes();
            for (int r = 0; r < repeats; r++) {
                steps.add(decode(prompt, false).millis);
                Decode profiled = decode(prompt, true);
                profiledSteps.add(profiled.millis);
                sections.add(profiled.sections);
                profiled.kinds.forEach(
                        (kind, ms) -> kinds.computeIfAbsent(kind, k -> new ArrayList<>()).add(ms));
                IntraOpThreads.use(threads);
                double[] floorSteps = new double[decodeSteps];
                for (int i = 0; i < floorSteps.length; i++) {
                    floorSteps[i] = floor.sampleMillis();
                }
                floors.add(Stats.median(floorSteps));
                MachineProbe.settle();
                reads.add(bandwidth.sampleGBs());
            }
        }
        Map<Profile.Kind, Double> kindMillis = new EnumMap<>(Profile.Kind.class);
        kinds.forEach((kind, values) -> kindMillis.put(kind, Stats.median(values)));
        // Counts are exact: a generation minus one without decode steps leaves the steps' calls.
        NativeCalls.Count calls =
                NativeCalls.during(() -> generate(prompt, decodeSteps + 1, DISCARD))
                        .minus(NativeCalls.during(() -> generate(prompt, 1, DISCARD)));
        Map<String, Double> byOperator = new TreeMap<>();
        calls.byOperator().forEach((op, n) -> byOperator.put(op, (double) n / decodeSteps));
        return new Result(
                batch,
                Stats.median(steps),
                Stats.median(profiledSteps),
                Stats.median(sections),
                kindMillis,
                (double) calls.total() / decodeSteps,
                byOperator,
                new Limits(Stats.median(floors), Stats.median(reads), bytes));
    }

    /**
     * The limits of the profiled model's decode step, medians of samples taken between its own.
     *
     * @param floorMillis its matmuls alone ({@link DecodeMatmulFloor}) on the threads the step uses
     * @param readGBs STREAM-class read bandwidth on every core ({@link ReadBandwidth})
     * @param bytesPerToken the matmul weights a decode step reads
     */
    public record Limits(double floorMillis, double readGBs, long bytesPerToken) {}

    /** Per decode step: wall time, each kind's time and the sections timed. */
    private record Decode(double millis, Map<Profile.Kind, Double> kinds, double sections) {}

    /**
     * One generation of {@code decodeSteps + 1} tokens, measured from the moment its first token is
     * streamed (the prefill and that token's sampling done) to its end: exactly the decode steps,
     * each with its sampling, streaming and stop rules. Sections are recorded if asked.
     */
    private Decode decode(List<int[]> prompt, boolean record) {
        long[] first = {0};
        Map<Profile.Kind, Long> before = new EnumMap<>(Profile.Kind.class);
        long[] sectionsBefore = {0};
        try (Profile profile = record ? Profile.record() : null) {
            TokenListener mark =
                    (sequence, id, text) -> {
                        if (first[0] == 0) {
                            first[0] = System.nanoTime();
                            if (profile != null) {
                                before.putAll(profile.nanos());
                                sectionsBefore[0] = sections(profile);
                            }
                        }
                    };
            generate(prompt, decodeSteps + 1, mark);
            long end = System.nanoTime();
            Map<Profile.Kind, Double> kinds = new EnumMap<>(Profile.Kind.class);
            double sections = 0;
            if (profile != null) {
                profile.nanos()
                        .forEach(
                                (kind, nanos) ->
                                        kinds.put(
                                                kind,
                                                (nanos - before.getOrDefault(kind, 0L))
                                                        / 1e6
                                                        / decodeSteps));
                sections = (double) (sections(profile) - sectionsBefore[0]) / decodeSteps;
            }
            return new Decode((end - first[0]) / 1e6 / decodeSteps, kinds, sections);
        }
    }

    private static long sections(Profile profile) {
        long count = 0;
        for (Profile.Kind kind : Profile.Kind.values()) {
            count += profile.sections(kind);
        }
        return count;
    }

    private void generate(List<int[]> prompt, int tokens, TokenListener listener) {
        GenerationOptions options =
                GenerationOptions.greedy(tokens).toBuilder()
                        .stopAtEos(false)
                        .sampling(
                                SamplingConfig.sampling(7).toBuilder()
                                        .temperature(0.8f)
                                        .topK(50)
                                        .topP(0.95f)
                                        .build())
                        .build();
        if (model.tokenizer().isPresent()) {
            options = options.toBuilder().stopStrings(List.of(STOP)).build();
        }
        model.generate(prompt, options, listener);
    }

    /** Fixed pseudo-random prompts of in-vocabulary ids, one per row. */
    private List<int[]> prompts() {
        Random random = new Random(1);
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            prompts.add(random.ints(promptTokens, 0, model.config().vocabSize()).toArray());
        }
        return prompts;
    }
}
