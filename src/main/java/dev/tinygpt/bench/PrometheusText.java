package dev.tinygpt.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Samples from Prometheus's text exposition format ({@code /metrics}): each line {@code
 * name{label="value",…} number [timestamp]}, label values with {@code \\}, {@code \"} and {@code
 * \n} escapes; comments and blank lines skipped. Enough to read the counters and gauges the
 * benchmark and the tests compare before and after.
 */
public final class PrometheusText {
    /** One sample: its metric name, labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    /** Parses {@code text}; a sample line it cannot read is an error naming the line. */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                try {
                    samples.add(sample(line));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("not a Prometheus sample line: " + line);
                }
            }
        }
        return new PrometheusText(samples);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        } else {
            name = line.substring(0, space);
            rest = space;
        }
        String[] tail = line.substring(rest).strip().split("\\s+"); // a timestamp may follow
        return new Sample(name, labels, number(tail[0]));
    }

    /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, Map<String, String> into) {
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String label = line.substring(i, eq).strip();
            if (line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("unquoted label value");
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (char c = line.charAt(j); c != '"'; c = line.charAt(++j)) {
                if (c == '\\') {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
            }
            into.put(label, value.toString());
            i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
        }
        return i + 1;
    }

    private static double number(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value); // NaN included
        };
    }

    /** The sum over every sample of metric {@code name} (all its label sets); empty if none. */
    public OptionalDouble sum(String name) {
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .mapToDouble(Sample::value)
                .reduce(Double::sum);
    }

    /** {@link #sum}, or an error naming the metric when the text has none. */
    public double require(String name) {
        return sum(name).orElseThrow(() -> new IllegalStateException("/metrics has no " + name));
    }

    /** The sum of the samples of {@code name} whose label {@code label} is {@code value}, or 0. */
    public double labelled(String name, String label, String value) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
                .mapToDouble(Sample::value)
                .sum();
    }

    public List<Sample> samples() {
        return samples;
    }
}
