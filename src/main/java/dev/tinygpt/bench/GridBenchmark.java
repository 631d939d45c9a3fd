package dev.tinygpt.bench;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.translator.StepInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The benchmark grid for one model: for each batch size B and sequence length n, the median over
 * repeats (after warm-up) of a prefill of B×n tokens, a decode step against a cache holding n
 * positions, and a decode step without a cache (the whole prefix again), with each against its
 * bound: decode against bandwidth, prefill against matmul throughput.
 *
 * <p>Before and after each model's grid it samples the machine's bandwidth and matmul throughput,
 * so the limits come from the same minutes as the timings.
 */
public final class GridBenchmark {
    /**
     * Decode steps per repeat: two untimed right after the prefill, whose working set is still in
     * the caches, then eight timed together, as a generation runs them.
     */
    static final int DECODE_STEPS = 10;

    private static final int UNTIMED_STEPS = 2;

    /** Minimum warm-up per model, ns. */
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private final String name;
    private final LanguageModel model;
    private final int repeats;
    private final int warmup;
    private final long maxTokens;
    private final MachineProbe probe;
    private final List<Double> bandwidth;
    private final List<Double> gflops;

    /**
     * @param maxTokens cells whose prefill exceeds this many tokens (B×n) are skipped
     * @param bandwidth collects bandwidth samples, GB/s
     * @param gflops collects matmul samples, GFLOP/s
     */
    public GridBenchmark(
            String name,
            LanguageModel model,
            int repeats,
            int warmup,
            long maxTokens,
            MachineProbe probe,
            List<Double> bandwidth,
            List<Double> gflops) {
        this.name = name;
        this.model = model;
        this.repeats = repeats;
        this.warmup = warmup;
        this.maxTokens = maxTokens;
        this.probe = probe;
        this.bandwidth = bandwidth;
        this.gflops = gflops;
    }

    /**
     * Sequence lengths for a context of {@code ctx}: ctx/32 … ctx/2 by doubling, then the longest
     * that still leaves room for the timed decode steps. GPT-2 small: 32 … 512, 1016.
     */
    public static int[] lengths(int ctx) {
        List<Integer> list = new ArrayList<>();
        for (int n = Math.max(1, ctx / 32); n <= ctx / 2; n *= 2) {
            list.add(n);
        }
        int last = ctx - DECODE_STEPS;
        if (last > list.get(list.size() - 1)) {
            list.add(last);
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Runs every cell; {@code progress} hears each row as it is done. */
    public List<BenchRow> run(int[] batches, int[] lengths, Consumer<BenchRow> progress) {
        List<BenchRow> rows = new ArrayList<>();
        sampleMachine();
        rows.addAll(cells(batches, lengths, progress));
        sampleMachine();
        return rows;
    }

    private List<BenchRow> cells(int[] batches, int[] lengths, Consumer<BenchRow> progress) {
        List<BenchRow> rows = new ArrayList<>();
        try (InferenceSession session = model.newSession()) {
            warmUp(session, batches, lengths[0]);
            for (int b : batches) {
                for (int n : lengths) {
                    if ((long) b * n > maxTokens) {
                        continue;
                    }
                    BenchRow row = cell(session, b, n);
                    rows.add(row);
                    progress.accept(row);
                }
            }
        }
        return rows;
    }

    /**
     * Runs the shortest cell of every batch size, untimed, for at least {@value #WARM_UP_NANOS} ns
     * and three rounds: the JIT compiles the Java side and libtorch sizes its buffers before any
     * cell is timed.
     */
    private void warmUp(InferenceSession session, int[] batches, int n) {
        long end = System.nanoTime() + WARM_UP_NANOS;
        for (int round = 0; round < 3 || System.nanoTime() < end; round++) {
            for (int b : batches) {
                if ((long) b * n <= maxTokens) {
                    time(session, b, n);
                }
            }
        }
    }

    /**
     * Three samples of each limit. Taken before and after a model's grid, not between cells: the
     * probe's two-thread GEMM leaves libtorch's worker threads spinning for a while, which would
     * slow the next cell's single-threaded small ops.
     */
    private void sampleMachine() {
        for (int i = 0; i < 3; i++) {
            bandwidth.add(probe.bandwidthGBs());
            gflops.add(probe.matmulGflops());
        }
    }

    private BenchRow cell(InferenceSession session, int b, int n) {
        double[] prefill = new double[repeats];
        double[] cached = new double[repeats];
        double[] uncached = new double[repeats];
        long kvBytes = 0;
        for (int r = -warmup; r < repeats; r++) {
            Repeat t = time(session, b, n);
            kvBytes = t.kvBytes();
            if (r >= 0) {
                prefill[r] = t.prefillMs();
                cached[r] = t.cachedStepMs();
                uncached[r] = t.uncachedStepMs();
            }
        }
        return new BenchRow(
                name,
                b,
                n,
                Stats.median(prefill),
                Stats.median(cached),
                Stats.median(uncached),
                kvBytes,
                Double.NaN,
                Double.NaN);
    }

    /**
     * {@code row} with its bounds from the run's limits: the decode step's bytes over the read
     * bandwidth, the prefill's FLOPs over the matmul throughput. Applied once every sample is in,
     * so each row is judged against the limits the report states.
     */
    public static BenchRow withBounds(BenchRow row, GptConfig config, MachineLimits limits) {
        return row.withBounds(
                decodeBytes(config, row.batch(), row.length()) / (limits.bandwidthGBs() * 1e6),
                prefillFlops(config, row.batch(), row.length()) / (limits.matmulGflops() * 1e6));
    }

    /** One repeat of a cell; the decode step is the mean of the timed decode steps. */
    private record Repeat(
            double prefillMs, double cachedStepMs, double uncachedStepMs, long kvBytes) {}

    private Repeat time(InferenceSession session, int b, int n) {
        int vocab = model.config().vocabSize();
        int[][] prompt = prompt(b, n, vocab);
        session.cache().clear();
        session.cache().expect(n + DECODE_STEPS);
        long start = System.nanoTime();
        session.step(StepInput.rows(prompt, session.cache()));
        double prefillMs = millisSince(start);
        long kvBytes = session.cache().bytes();
        int[][] next = new int[b][1];
        for (int i = 0; i < DECODE_STEPS; i++) {
            if (i == UNTIMED_STEPS) {
                start = System.nanoTime();
            }
            for (int r = 0; r < b; r++) {
                next[r][0] = ((n + i) * 7 + r) % vocab;
            }
            session.step(StepInput.rows(next, session.cache()));
        }
        double stepMs = millisSince(start) / (DECODE_STEPS - UNTIMED_STEPS);
        StepInput whole = StepInput.rows(prompt);
        start = System.nanoTime();
        session.step(whole);
        return new Repeat(prefillMs, stepMs, millisSince(start), kvBytes);
    }

    /**
     * Bytes a decode step at batch B over n cached positions must read at least: every weight once
     * (the embedding rows looked up are negligible, the head's {@code V×C} table is not) plus the
     * cached keys and values of every row.
     */
    public static double decodeBytes(GptConfig c, int b, int n) {
        long d = c.dModel();
        long perLayer = 4 * d + d * 3 * d + 3 * d + d * d + d + d * c.mlpHidden() + c.mlpHidden();
        perLayer += (long) c.mlpHidden() * d + d;
        long weights = c.layers() * perLayer + 2 * d + (long) c.vocabSize() * d;
        long kv = 2L * c.layers() * b * n * d;
        return 4.0 * (weights + kv);
    }

    /**
     * FLOPs of a prefill of B×n tokens as the model computes it ({@link GptConfig#stepFlops}): the
     * four projections per layer, the full n×n score and weighting products of attention, and the
     * head for the last position of each row.
     */
    public static double prefillFlops(GptConfig c, int b, int n) {
        return c.stepFlops(b, n, 0);
    }

    private static int[][] prompt(int b, int n, int vocab) {
        Random random = new Random(31L * b + n);
        int[][] ids = new int[b][n];
        for (int[] row : ids) {
            Arrays.setAll(row, i -> random.nextInt(vocab));
        }
        return ids;
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
