package dev.tinygpt.bench;

import java.util.Arrays;
import java.util.Collection;

/** Medians, the benchmark's one statistic: robust to the stalls of a shared machine. */
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
}
