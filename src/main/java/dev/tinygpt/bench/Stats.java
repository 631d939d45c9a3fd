package dev.tinygpt.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Medians, the benchmark's statistic for repeated timings (robust to the stalls of a shared
 * machine), and percentiles for latency distributions.
 */
public final class Stats {
    private Stats() {}

    /** The median (the mean of the two middle values for an even count); NaN when empty. */
    public static double median(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double median(Collection<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The {@code p}-th percentile by nearest rank: the smallest value with at least {@code p}% of
     * the values at or below it (p50 of 1..4 is 2, p99 of 100 values the 99th); NaN when empty.
     */
    public static double percentile(double p, double... values) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
