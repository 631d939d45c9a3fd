package dev.tinygpt.bench;

import dev.tinygpt.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Writes the benchmark grid three ways: a CSV with one line per {@link BenchRow} (for scripts), a
 * Markdown report with the machine's measured limits and one table per model (for the README), and
 * the KV-cache figure as a PNG: decode throughput and time per step against the sequence length n,
 * with and without the cache, at batch 1. Every file is written atomically (temporary file, then
 * rename). A value that was not measured ({@code NaN}, or a kvCacheBytes of -1) is an empty CSV
 * field, a "—" in Markdown and a missing point in the plot.
 */
public final class BenchReport {
    /** One chart of the figure, pixels; the figure is two charts wide and one model high. */
    static final int CHART_WIDTH = 700;

    static final int CHART_HEIGHT = 450;

    static final String CSV_HEADER =
            "model,batch,length,prefill_ms,prefill_tokens_per_s,cached_step_ms,"
                    + "cached_tokens_per_s,uncached_step_ms,uncached_tokens_per_s,kv_cache_bytes,"
                    + "decode_bound_ms,decode_fraction_of_bound,prefill_bound_ms,"
                    + "prefill_fraction_of_bound";

    private static final String MISSING = "—";

    private BenchReport() {}

    /**
     * One header line, then one line per row in the given order. The machine limits are not written
     * (the CSV holds rows only; they are in the Markdown report).
     */
    public static void writeCsv(Path file, MachineLimits limits, List<BenchRow> rows)
            throws IOException {
        requireRows(rows);
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (BenchRow r : rows) {
            csv.append(
                            String.join(
                                    ",",
                                    csvField(r.model()),
                                    Integer.toString(r.batch()),
                                    Integer.toString(r.length()),
                                    fixed(r.prefillMs(), 3),
                                    fixed(r.prefillTokensPerSecond(), 1),
                                    fixed(r.cachedStepMs(), 3),
                                    fixed(r.cachedTokensPerSecond(), 1),
                                    fixed(r.uncachedStepMs(), 3),
                                    fixed(r.uncachedTokensPerSecond(), 1),
                                    r.kvCacheBytes() < 0 ? "" : Long.toString(r.kvCacheBytes()),
                                    fixed(r.decodeBoundMs(), 3),
                                    fixed(r.decodeFractionOfBound(), 3),
                                    fixed(r.prefillBoundMs(), 3),
                                    fixed(r.prefillFractionOfBound(), 3)))
                    .append('\n');
        }
        AtomicFiles.writeString(file, csv.toString());
    }

    /**
     * The machine's limits as a bullet list, then a table per model in order of first appearance.
     */
    public static String markdown(MachineLimits limits, List<BenchRow> rows) {
        requireRows(rows);
        if (limits == null) {
            throw new IllegalArgumentException("machine limits must not be null");
        }
        StringBuilder md = new StringBuilder("## Machine\n\n");
        md.append("- CPU: ").append(limits.cpu()).append('\n');
        md.append("- Cores: ").append(limits.cores()).append('\n');
        md.append("- Intra-op threads: ").append(limits.threads()).append('\n');
        md.append("- Read bandwidth (measured): ")
                .append(cell(limits.bandwidthGBs(), "%.1f GB/s"))
                .append('\n');
        md.append("- fp32 matmul (measured): ")
                .append(cell(limits.matmulGflops(), "%.1f GFLOP/s"))
                .append('\n');
        for (Map.Entry<String, List<BenchRow>> model : byModel(rows).entrySet()) {
            md.append("\n## ").append(model.getKey()).append("\n\n");
            md.append(
                    "| batch | n | prefill tok/s | prefill % of bound | decode ms/step (cache)"
                            + " | decode tok/s (cache) | decode % of bound"
                            + " | decode ms/step (no cache) | decode tok/s (no cache)"
                            + " | speed-up | KV cache |\n");
            md.append("|" + "---:|".repeat(11) + "\n");
            for (BenchRow r : model.getValue()) {
                md.append(tableRow(r));
            }
        }
        md.append(
                "\nA decode step makes one token for each of the batch's rows. % of bound is the lower"
                        + " bound over the measured time (decode: bytes read over the read bandwidth;"
                        + " prefill: matmul FLOPs over the matmul throughput); 100% is at the bound."
                        + " Speed-up is the step time without the cache over the step time with it.\n");
        return md.toString();
    }

    /**
     * The KV-cache figure at batch 1, one row of two charts per model: decode tokens/s against n
     * (log y), and ms per step against n (linear: flat with the cache, growing without it).
     */
    public static void writePlot(Path png, List<BenchRow> rows) throws IOException {
        requireRows(rows);
        Map<String, List<BenchRow>> models =
                byModel(rows.stream().filter(r -> r.batch() == 1).toList());
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no batch-1 rows to plot");
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<XYChart> charts = new ArrayList<>();
        for (Map.Entry<String, List<BenchRow>> model : models.entrySet()) {
            List<BenchRow> byLength =
                    model.getValue().stream()
                            .sorted(Comparator.comparingInt(BenchRow::length))
                            .toList();
            XYChart throughput =
                    chart(model.getKey() + ": decode throughput vs n", "tokens/s (log scale)");
            throughput.getStyler().setYAxisLogarithmic(true).setYAxisLogarithmicDecadeOnly(false);
            addSeries(throughput, "with KV cache", byLength, BenchRow::cachedTokensPerSecond);
            addSeries(throughput, "without cache", byLength, BenchRow::uncachedTokensPerSecond);
            XYChart stepTime = chart(model.getKey() + ": time per token vs n", "ms/step");
            stepTime.getStyler().setYAxisMin(0.0);
            addSeries(stepTime, "with KV cache", byLength, BenchRow::cachedStepMs);
            addSeries(stepTime, "without cache", byLength, BenchRow::uncachedStepMs);
            charts.add(throughput);
            charts.add(stepTime);
        }
        // The stream overload writes exactly to png (the path overload would append ".png").
        AtomicFiles.write(
                png,
                out -> BitmapEncoder.saveBitmap(charts, models.size(), 2, out, BitmapFormat.PNG));
    }

    private static String tableRow(BenchRow r) {
        return "| "
                + String.join(
                        " | ",
                        Integer.toString(r.batch()),
                        Integer.toString(r.length()),
                        cell(r.prefillTokensPerSecond(), "%.1f"),
                        cell(100 * r.prefillFractionOfBound(), "%.1f%%"),
                        cell(r.cachedStepMs(), "%.3f"),
                        cell(r.cachedTokensPerSecond(), "%.1f"),
                        cell(100 * r.decodeFractionOfBound(), "%.1f%%"),
                        cell(r.uncachedStepMs(), "%.3f"),
                        cell(r.uncachedTokensPerSecond(), "%.1f"),
                        cell(r.uncachedStepMs() / r.cachedStepMs(), "%.1f×"),
                        humanBytes(r.kvCacheBytes()))
                + " |\n";
    }

    private static XYChart chart(String title, String yAxisTitle) {
        XYChart chart =
                new XYChartBuilder()
                        .width(CHART_WIDTH)
                        .height(CHART_HEIGHT)
                        .title(title)
                        .xAxisTitle("sequence length n")
                        .yAxisTitle(yAxisTitle)
                        .build();
        // Below the plot, so the legend never hides a point.
        chart.getStyler()
                .setLegendPosition(LegendPosition.OutsideS)
                .setLegendLayout(LegendLayout.Horizontal);
        return chart;
    }

    /** Adds the measured points (a log axis also drops values ≤ 0); no series if none remain. */
    private static void addSeries(
            XYChart chart, String name, List<BenchRow> rows, ToDoubleFunction<BenchRow> y) {
        boolean log = chart.getStyler().isYAxisLogarithmic();
        List<Integer> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (BenchRow r : rows) {
            double v = y.applyAsDouble(r);
            if (Double.isFinite(v) && (!log || v > 0)) {
                xs.add(r.length());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            chart.addSeries(name, xs, ys);
        }
    }

    private static void requireRows(List<BenchRow> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException("no benchmark rows: need at least one");
        }
        // A loop, not rows.contains(null): List.of(...).contains(null) throws.
        for (BenchRow r : rows) {
            if (r == null) {
                throw new IllegalArgumentException("benchmark rows must not contain null");
            }
        }
    }

    private static Map<String, List<BenchRow>> byModel(List<BenchRow> rows) {
        Map<String, List<BenchRow>> models = new LinkedHashMap<>();
        for (BenchRow r : rows) {
            models.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
        }
        return models;
    }

    /** RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled. */
    private static String csvField(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) ? MISSING : String.format(Locale.ROOT, format, v);
    }

    /** Binary units with one decimal: 1.5 MiB; a negative count (not measured) is "—". */
    public static String humanBytes(long n) {
        if (n < 0) {
            return MISSING;
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n / 1024.0;
        int unit = 0;
        // 1023.95 and up would print as "1024.0": move to the next unit instead.
        while (v >= 1023.95 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }
}
