package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    private static final String SMALL = "exercise";

    /** A comma and quotes: the CSV must quote it and double the quotes. */
    private static final String ODD = "nano \"v2\", 2×64";

    private static final MachineLimits LIMITS =
            new MachineLimits("Test CPU @ 3.0GHz", 8, "pinned to 4", 12.5, 98.76);

    @TempDir Path dir;

    /**
     * Two models interleaved, batches 1 and 4, n = 32/64/128. ODD at batch 4, n = 64 has
     * hand-picked values; SMALL at batch 4, n = 128 was not measured without the cache.
     */
    private static List<BenchRow> rows() {
        List<BenchRow> rows = new ArrayList<>();
        for (int n : new int[] {32, 64, 128}) {
            for (int b : new int[] {1, 4}) {
                for (String model : new String[] {SMALL, ODD}) {
                    if (model.equals(ODD) && b == 4 && n == 64) {
                        rows.add(
                                new BenchRow(
                                        ODD, 4, 64, 12.3456, 2.5, 31.25, 1572864, 1.25, 3.0864));
                    } else if (model.equals(SMALL) && b == 4 && n == 128) {
                        rows.add(row(model, b, n, Double.NaN));
                    } else {
                        rows.add(row(model, b, n, 1 + 0.05 * b * n));
                    }
                }
            }
        }
        return rows;
    }

    private static BenchRow row(String model, int b, int n, double uncachedStepMs) {
        return new BenchRow(
                model,
                b,
                n,
                1 + 0.01 * b * n,
                1 + 0.002 * b * n,
                uncachedStepMs,
                4096L * b * n,
                0.5,
                0.2);
    }

    @Test
    void csvHasTheHeaderAndQuotedExactValues() throws IOException {
        Path csv = dir.resolve("bench.csv");
        BenchReport.writeCsv(csv, LIMITS, rows());
        List<List<String>> records = parseCsv(Files.readString(csv, StandardCharsets.UTF_8));

        assertEquals(1 + 12, records.size());
        assertEquals(
                List.of(
                        "model",
                        "batch",
                        "length",
                        "prefill_ms",
                        "prefill_tokens_per_s",
                        "cached_step_ms",
                        "cached_tokens_per_s",
                        "uncached_step_ms",
                        "uncached_tokens_per_s",
                        "kv_cache_bytes",
                        "decode_bound_ms",
                        "decode_fraction_of_bound",
                        "prefill_bound_ms",
                        "prefill_fraction_of_bound"),
                records.get(0));
        // Rows keep the given order: n = 64, batch 4, ODD is the 4th row of the n = 64 block.
        assertEquals(
                List.of(
                        ODD, "4", "64", "12.346", "20736.1", "2.500", "1600.0", "31.250", "128.0",
                        "1572864", "1.250", "0.500", "3.086", "0.250"),
                records.get(1 + 4 + 3));
        assertTrue(
                Files.readString(csv).contains("\n\"nano \"\"v2\"\", 2×64\",4,64,"),
                "quoted per RFC 4180");
        // Not measured: empty fields for the time, its tokens/s; everything else is there.
        List<String> nan = records.get(1 + 8 + 2);
        assertEquals(List.of(SMALL, "4", "128"), nan.subList(0, 3));
        assertEquals("", nan.get(7));
        assertEquals("", nan.get(8));
        assertEquals("2.024", nan.get(5));
        for (List<String> r : records) {
            assertEquals(14, r.size(), r.toString());
        }
    }

    @Test
    void markdownHasMachineAndOneTablePerModel() {
        String md = BenchReport.markdown(LIMITS, rows());

        assertTrue(md.contains("- CPU: Test CPU @ 3.0GHz\n"), md);
        assertTrue(md.contains("- Cores: 8\n"), md);
        assertTrue(md.contains("- Intra-op threads: pinned to 4\n"), md);
        assertTrue(md.contains("- Read bandwidth (measured): 12.5 GB/s\n"), md);
        assertTrue(md.contains("- fp32 matmul (measured): 98.8 GFLOP/s\n"), md);

        int small = md.indexOf("\n## " + SMALL + "\n");
        int odd = md.indexOf("\n## " + ODD + "\n");
        assertTrue(small > 0 && odd > small, "tables in first-appearance order");
        assertEquals(2, md.split("\\| batch \\| n \\|", -1).length - 1, "one table per model");
        String oddTable = md.substring(odd);
        String smallTable = md.substring(small, odd);
        assertEquals(6, smallTable.lines().filter(l -> l.matches("\\| [14] \\| .*")).count());
        assertTrue(
                oddTable.contains(
                        "| 4 | 64 | 20736.1 | 25.0% | 2.500 | 1600.0 | 50.0% | 31.250 | 128.0"
                                + " | 12.5× | 1.5 MiB |\n"),
                oddTable);
        // Batch 1 before batch 4 at each n, as given: (1, 32), (4, 32), (1, 64), ...
        assertTrue(smallTable.indexOf("| 1 | 64 |") < smallTable.indexOf("| 4 | 64 |"));
        // Not measured without the cache: its time, tokens/s and the speed-up are "—".
        assertTrue(
                smallTable.contains(
                        "| 4 | 128 | 83660.1 | 3.3% | 2.024 | 1976.3 | 24.7% | — | — | — | 2.0 MiB |\n"),
                smallTable);
        assertTrue(
                smallTable.contains(
                        "| 1 | 32 | 24242.4 | 15.2% | 1.064 | 939.8 | 47.0% | 2.600 | 384.6 | 2.4×"
                                + " | 128.0 KiB |\n"),
                smallTable);
    }

    @Test
    void plotIsAPngOfTwoChartsPerModel() throws IOException {
        Path png = dir.resolve("kv-cache.png");
        BenchReport.writePlot(png, rows());

        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "decodes as an image");
        assertEquals(2 * BenchReport.CHART_WIDTH, image.getWidth());
        assertEquals(2 * BenchReport.CHART_HEIGHT, image.getHeight());
        assertTrue(distinctColors(image) > 20, "something was drawn");
        assertEquals(List.of(png), list(dir), "the file lands at the path, nothing else is left");
    }

    @Test
    void plotHasOneRowPerModelWithBatchOneRows() throws IOException {
        List<BenchRow> rows = new ArrayList<>(rows());
        rows.removeIf(r -> r.model().equals(ODD) && r.batch() == 1);
        Path png = dir.resolve("figure");
        BenchReport.writePlot(png, rows);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * BenchReport.CHART_WIDTH, image.getWidth());
        assertEquals(BenchReport.CHART_HEIGHT, image.getHeight());
        assertEquals(List.of(png), list(dir), "no .png appended");
    }

    @Test
    void missingDirectoryFailsAndLeavesNothing() {
        Path missing = dir.resolve("missing");
        assertThrows(
                IOException.class,
                () -> BenchReport.writeCsv(missing.resolve("b.csv"), LIMITS, rows()));
        assertThrows(
                IOException.class, () -> BenchReport.writePlot(missing.resolve("b.png"), rows()));
        assertFalse(Files.exists(missing));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void plotNeedsBatchOneRows() {
        List<BenchRow> rows = rows().stream().filter(r -> r.batch() != 1).toList();
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> BenchReport.writePlot(dir.resolve("p.png"), rows));
        assertEquals("no batch-1 rows to plot", e.getMessage());
        assertEquals(List.of(), list(dir));
    }

    @Test
    void rejectsNullOrEmptyRows() {
        Path f = dir.resolve("x");
        assertThrows(IllegalArgumentException.class, () -> BenchReport.writeCsv(f, LIMITS, null));
        assertThrows(
                IllegalArgumentException.class, () -> BenchReport.writeCsv(f, LIMITS, List.of()));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.markdown(LIMITS, null));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.markdown(LIMITS, List.of()));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.writePlot(f, null));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.writePlot(f, List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchReport.markdown(LIMITS, Arrays.asList(rows().get(0), null)));
        assertFalse(Files.exists(f));
        // An immutable list is fine (its contains(null) would throw).
        assertTrue(BenchReport.markdown(LIMITS, List.of(rows().get(0))).contains("## exercise\n"));
    }

    /** RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        assertTrue(record.isEmpty() && field.length() == 0, "ends with a line break");
        return records;
    }

    private static int distinctColors(BufferedImage image) {
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colors.add(image.getRGB(x, y));
            }
        }
        return colors.size();
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
