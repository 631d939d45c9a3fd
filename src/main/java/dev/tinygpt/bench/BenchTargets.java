package dev.tinygpt.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The speed targets the grid answers, checked against its rows: each is measured, compared with its
 * goal and printed as a Markdown table row. Nothing here asserts; a missed target says so. (Decode
 * against the matmul floor and the bandwidth bound is the profile suite's, measured in real
 * generations; the exercise model's target is the demo's.)
 *
 * @param gpt2 the GPT-2-small-shaped model's name in the rows
 */
public record BenchTargets(String gpt2) {

    /** One target: what was asked, what was measured, whether it was met. */
    public record Result(String target, String goal, String measured, boolean met) {}

    /** Every target the rows can answer (a target whose cells were skipped is left out). */
    public List<Result> evaluate(List<BenchRow> rows) {
        List<Result> results = new ArrayList<>();
        List<BenchRow> gpt2One = rows(rows, gpt2, 1);
        row(rows, gpt2, 1, 512)
                .ifPresent(
                        r ->
                                results.add(
                                        new Result(
                                                gpt2
                                                        + " prefill of 512 tokens, share of the"
                                                        + " GEMM probe",
                                                "≥ 70%",
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.0f%% (%,.0f tokens/s)",
                                                        100 * r.prefillFractionOfBound(),
                                                        r.prefillTokensPerSecond()),
                                                r.prefillFractionOfBound() >= 0.70)));
        batchGain(rows).ifPresent(results::add);
        growth(gpt2One).ifPresent(results::add);
        return results;
    }

    /** Batch 16 against batch 1 at the shortest length both measured. */
    private Optional<Result> batchGain(List<BenchRow> rows) {
        for (BenchRow one : rows(rows, gpt2, 1)) {
            Optional<BenchRow> sixteen = row(rows, gpt2, 16, one.length());
            if (sixteen.isPresent()) {
                double gain = sixteen.get().cachedTokensPerSecond() / one.cachedTokensPerSecond();
                return Optional.of(
                        new Result(
                                gpt2
                                        + " decode throughput, batch 16 vs batch 1 (n = "
                                        + one.length()
                                        + ")",
                                "≥ 10×",
                                String.format(Locale.ROOT, "%.1f×", gain),
                                gain >= 10));
            }
        }
        return Optional.empty();
    }

    /** How the per-token time grows from the shortest to the longest n, with and without cache. */
    private Optional<Result> growth(List<BenchRow> one) {
        if (one.size() < 2) {
            return Optional.empty();
        }
        BenchRow first = one.get(0);
        BenchRow last = one.get(one.size() - 1);
        double cached = last.cachedStepMs() / first.cachedStepMs();
        double uncached = last.uncachedStepMs() / first.uncachedStepMs();
        double lengths = (double) last.length() / first.length();
        return Optional.of(
                new Result(
                        gpt2
                                + " time per token from n = "
                                + first.length()
                                + " to "
                                + last.length(),
                        "≤ 1.3× with the cache",
                        String.format(
                                Locale.ROOT,
                                "with cache ×%.2f, without ×%.1f (n ×%.1f)",
                                cached,
                                uncached,
                                lengths),
                        cached <= 1.3));
    }

    /** The targets as a Markdown table. */
    public static String markdown(List<Result> results) {
        StringBuilder md = new StringBuilder("## Targets\n\n| target | goal | measured | met |\n");
        md.append("|---|---|---|---|\n");
        for (Result r : results) {
            md.append("| ")
                    .append(r.target())
                    .append(" | ")
                    .append(r.goal())
                    .append(" | ")
                    .append(r.measured())
                    .append(" | ")
                    .append(r.met() ? "yes" : "**no**")
                    .append(" |\n");
        }
        return md.toString();
    }

    private static double median(List<BenchRow> rows, ToDoubleFunction<BenchRow> figure) {
        return Stats.median(rows.stream().mapToDouble(figure).toArray());
    }

    private static List<BenchRow> rows(List<BenchRow> rows, String model, int batch) {
        return rows.stream()
                .filter(r -> r.model().equals(model) && r.batch() == batch)
                .sorted(Comparator.comparingInt(BenchRow::length))
                .toList();
    }

    private static Optional<BenchRow> row(List<BenchRow> rows, String model, int batch, int n) {
        return rows(rows, model, batch).stream().filter(r -> r.length() == n).findFirst();
    }
}
