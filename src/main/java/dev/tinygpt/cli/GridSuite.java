package dev.tinygpt.cli;

import dev.tinygpt.bench.BenchReport;
import dev.tinygpt.bench.BenchRow;
import dev.tinygpt.bench.BenchTargets;
import dev.tinygpt.bench.GridBenchmark;
import dev.tinygpt.bench.MachineLimits;
import dev.tinygpt.bench.MachineProbe;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --suite grid}: builds each model in-process, runs its {@link GridBenchmark}, and
 * writes {@code bench.csv}, {@code bench.md} (machine, tables, memory, targets) and {@code
 * bench.png} (the KV-cache figure). Progress goes to stdout as rows finish.
 */
final class GridSuite {
    private final List<BenchCommand.Named> models;
    private final int[] batches;
    private final int repeats;
    private final int warmup;
    private final long maxTokens;
    private final Path out;

    GridSuite(
            List<BenchCommand.Named> models,
            List<Integer> batches,
            int repeats,
            int warmup,
            long maxTokens,
            Path out) {
        this.models = models;
        this.batches = batches.stream().mapToInt(Integer::intValue).toArray();
        this.repeats = repeats;
        this.warmup = warmup;
        this.maxTokens = maxTokens;
        this.out = out;
    }

    void run() throws IOException {
        AtomicFiles.createWritableDirectory(out, "--out directory");
        long start = System.nanoTime();
        List<BenchRow> rows = new ArrayList<>();
        Map<String, GptConfig> configs = new HashMap<>();
        List<Double> bandwidth = new ArrayList<>();
        List<Double> gflops = new ArrayList<>();
        StringBuilder memory =
                new StringBuilder(
                        "## Memory\n\n| model | parameters | weights (fp32) | peak RSS |\n"
                                + "|---|---|---|---|\n");
        try (MachineProbe probe = new MachineProbe()) {
            for (BenchCommand.Named m : models) {
                System.out.println("# " + m.name() + ": building (random weights, seed 1)");
                configs.put(m.name(), m.config());
                MachineProbe.resetPeak();
                try (LanguageModel lm = LanguageModel.create(m.config(), 1, null)) {
                    int[] lengths = GridBenchmark.lengths(m.config().contextLength());
                    GridBenchmark grid =
                            new GridBenchmark(
                                    m.name(), lm, repeats, warmup, maxTokens, probe, bandwidth,
                                    gflops);
                    rows.addAll(grid.run(batches, lengths, GridSuite::progress));
                    long params = lm.block().parameterCount();
                    memory.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %,d | %s | %s |%n",
                                    m.name(),
                                    params,
                                    BenchReport.humanBytes(4 * params),
                                    BenchReport.humanBytes(MachineProbe.peakResidentBytes())));
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(
                    "no grid cell fits --max-tokens " + maxTokens + ": raise it");
        }
        MachineLimits limits = MachineProbe.limits(bandwidth, gflops);
        rows =
                rows.stream()
                        .map(r -> GridBenchmark.withBounds(r, configs.get(r.model()), limits))
                        .toList();
        BenchTargets targets = new BenchTargets("gpt2-small");
        String report =
                BenchReport.markdown(limits, rows)
                        + "\n"
                        + memory
                        + "\n"
                        + BenchTargets.markdown(targets.evaluate(rows));
        BenchReport.writeCsv(out.resolve("bench.csv"), limits, rows);
        AtomicFiles.writeString(out.resolve("bench.md"), report);
        boolean plotted = rows.stream().anyMatch(r -> r.batch() == 1);
        if (plotted) {
            BenchReport.writePlot(out.resolve("bench.png"), rows);
        }
        System.out.println();
        System.out.println(report);
        System.out.printf(
                Locale.ROOT, "Grid done in %.1f min%n", (System.nanoTime() - start) / 6e10);
        System.out.println(
                "Wrote "
                        + out.resolve("bench.csv")
                        + ", "
                        + out.resolve("bench.md")
                        + (plotted ? " and " + out.resolve("bench.png") : ""));
    }

    private static void progress(BenchRow r) {
        System.out.printf(
                Locale.ROOT,
                "%s B=%d n=%d: prefill %.1f ms, decode %.2f ms/step with cache, %.1f ms without%n",
                r.model(),
                r.batch(),
                r.length(),
                r.prefillMs(),
                r.cachedStepMs(),
                r.uncachedStepMs());
    }
}
