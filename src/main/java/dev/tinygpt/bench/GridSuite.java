package dev.tinygpt.bench;

import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --suite grid}: builds each preset in-process with random weights, runs its {@link
 * GridBenchmark}, and writes {@code bench.csv}, {@code bench.md} (machine, tables, memory, targets)
 * and {@code bench.png} (the KV-cache figure). Progress goes to stdout as rows finish.
 *
 * @param maxTokens cells whose prefill exceeds this many tokens (B×n) are skipped
 * @param out the directory the three files go to
 */
public record GridSuite(
        List<Preset> models, int[] batches, int repeats, int warmup, long maxTokens, Path out) {

    public void run() throws IOException {
        AtomicFiles.createWritableDirectory(out, "--out directory");
        long start = System.nanoTime();
        List<BenchRow> rows = new ArrayList<>();
        List<Double> bandwidth = new ArrayList<>();
        List<Double> gflops = new ArrayList<>();
        StringBuilder memory =
                new StringBuilder(
                        "## Memory\n\n| model | parameters | weights (fp32) | peak RSS |\n"
                                + "|---|---|---|---|\n");
        try (MachineProbe probe = new MachineProbe()) {
            for (Preset m : models) {
                System.out.println("# " + m.name() + ": building (random weights, seed 1)");
                MachineProbe.resetPeak();
                try (LanguageModel lm = LanguageModel.create(m.config(), 1, null)) {
                    int[] lengths = GridBenchmark.lengths(m.config().contextLength());
                    GridBenchmark grid =
                            new GridBenchmark(
                                    m.name(), lm, repeats, warmup, maxTokens, probe, bandwidth,
                                    gflops);
                    rows.addAll(grid.run(batches, lengths, GridSuite::progress));
                    memory.append(memoryRow(m.name(), lm.block().parameterCount()));
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(
                    "no grid cell fits --max-tokens " + maxTokens + ": raise it");
        }
        MachineLimits limits = MachineProbe.limits(bandwidth, gflops);
        rows.replaceAll(
                r -> GridBenchmark.withBounds(r, Presets.byName(r.model()).config(), limits));
        write(limits, rows, memory, start);
    }

    /** Writes the three files and prints the report. */
    private void write(MachineLimits limits, List<BenchRow> rows, CharSequence memory, long start)
            throws IOException {
        String report =
                BenchReport.markdown(limits, rows)
                        + "\n"
                        + memory
                        + "\n"
                        + BenchTargets.markdown(new BenchTargets("gpt2-small").evaluate(rows));
        BenchReport.writeCsv(out.resolve("bench.csv"), limits, rows);
        AtomicFiles.writeString(out.resolve("bench.md"), report);
        boolean plotted = rows.stream().anyMatch(r -> r.batch() == 1); // the figure is of batch 1
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

    private static String memoryRow(String model, long params) {
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %s | %s |%n",
                model,
                params,
                BenchReport.humanBytes(4 * params),
                BenchReport.humanBytes(MachineProbe.peakResidentBytes()));
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
