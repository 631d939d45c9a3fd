package dev.tinygpt.model;

import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A per-layer parameter table in the manner of torchinfo or Keras' {@code summary()}: every
 * parameter with its GPT-2 name, shape and count, a subtotal per block and the total.
 */
public final class ParameterSummary {
    private static final int NAME = 30;
    private static final int SHAPE = 14;
    private static final int COUNT = 13;

    private ParameterSummary() {}

    /** The table for a model, ready to print (ends with a newline). */
    public static String format(GptModel model) {
        Map<String, List<NamedParameter>> groups = new LinkedHashMap<>();
        for (NamedParameter p : model.namedParameters()) {
            groups.computeIfAbsent(group(p.name()), k -> new ArrayList<>()).add(p);
        }
        int width = NAME + SHAPE + COUNT;
        String thin = "-".repeat(width) + "\n";
        String thick = "=".repeat(width) + "\n";
        StringBuilder sb = new StringBuilder();
        sb.append(thick);
        sb.append(row("Parameter (GPT-2 name)", "Shape", "Count"));
        sb.append(thick);
        long total = 0;
        for (Map.Entry<String, List<NamedParameter>> g : groups.entrySet()) {
            long subtotal = 0;
            for (NamedParameter p : g.getValue()) {
                sb.append(row(p.name(), shape(p), count(p.size())));
                subtotal += p.size();
            }
            if (g.getValue().size() > 1) {
                sb.append(row("  " + g.getKey() + " subtotal", "", count(subtotal)));
            }
            sb.append(thin);
            total += subtotal;
        }
        GptConfig config = model.config();
        if (config.tiedHead()) {
            sb.append(row("lm_head (tied to wte.weight)", "", "0"));
            sb.append(thin);
        }
        sb.append(row("Total parameters", "", count(total)));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-" + (NAME + SHAPE) + "s%" + COUNT + "s%n",
                        "Size in float32",
                        megabytes(total * 4)));
        sb.append(thick);
        return sb.toString();
    }

    /** Groups parameters per block: {@code h.3.attn.c_attn.weight} → {@code h.3}. */
    private static String group(String name) {
        String[] parts = name.split("\\.");
        return "h".equals(parts[0]) ? parts[0] + "." + parts[1] : parts[0];
    }

    private static String row(String name, String shape, String count) {
        return String.format(
                Locale.ROOT,
                "%-" + NAME + "s%-" + SHAPE + "s%" + COUNT + "s%n",
                name,
                shape,
                count);
    }

    private static String shape(NamedParameter p) {
        return p.shape().toString();
    }

    /** A count with thousands separators: {@code 105,152}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }
}
