package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The soak at its full size, as {@code bin/tinygpt bench --suite soak} runs it, in a JVM of its own
 * whose heap is fixed and touched up front ({@code -Xms256m -Xmx256m -XX:+AlwaysPreTouch}), so RSS
 * moves only when native memory or the JVM's other areas do: 10,000 streamed tokens in one call on
 * the exercise model (its window slides ~600 times), then 1,000 generate calls, each with a
 * Predictor and cache of its own. Live NDArrays do not move by one; from the middle of the long
 * call to the end (13,000 tokens and 1,000 calls later) RSS grows by less than 8 MiB, so no more
 * than ~600 bytes leak per token, and the heap in use by less than 4 MiB.
 */
class SoakTest {
    private static final double MIB = 1 << 20;

    /** One row of the soak's Markdown table. */
    private record Row(String phase, long tokens, int arrays, double rssMib, double heapMib) {}

    @Test
    void tenThousandTokensAndAThousandCallsLeaveMemoryFlat() throws Exception {
        List<Row> rows = soak();
        // start, 10 in the long call, 10 across the short calls
        assertEquals(21, rows.size(), rows::toString);
        Row start = rows.get(0);
        Row inLongCall = rows.get(1);
        for (Row r : rows.subList(1, 11)) {
            assertEquals(inLongCall.arrays(), r.arrays(), r::toString);
        }
        for (Row r : rows.subList(11, 21)) {
            assertEquals(start.arrays(), r.arrays(), "between calls: " + r);
        }
        assertEquals(10_000, rows.get(10).tokens());
        assertEquals(18_000, rows.get(20).tokens());
        Row middle = rows.get(5); // 5,000 tokens in: past the JIT's and allocator's warm-up
        double rssGrowth = 0;
        double heapGrowth = 0;
        for (Row r : rows.subList(5, 21)) {
            rssGrowth = Math.max(rssGrowth, r.rssMib() - middle.rssMib());
            heapGrowth = Math.max(heapGrowth, r.heapMib() - middle.heapMib());
        }
        System.out.printf(
                "SoakTest: live arrays %d (%d in the long call); RSS %.1f MiB at 5,000 tokens, at"
                        + " most %.1f MiB more by 18,000 tokens and 1,000 calls; heap in use %.1f"
                        + " MiB, at most %.1f MiB more%n",
                start.arrays(),
                inLongCall.arrays(),
                middle.rssMib(),
                rssGrowth,
                middle.heapMib(),
                heapGrowth);
        assertTrue(rssGrowth < 8, "RSS grew by " + rssGrowth + " MiB: " + rows);
        assertTrue(heapGrowth < 4, "heap grew by " + heapGrowth + " MiB: " + rows);
    }

    private static List<Row> soak() throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xms256m",
                                "-Xmx256m",
                                "-XX:+AlwaysPreTouch",
                                "-Dai.djl.offline=true",
                                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.tinygpt.cli.Main",
                                "bench",
                                "--suite",
                                "soak")
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the soak did not finish");
        assertEquals(0, p.exitValue(), output);
        List<Row> rows = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] cells = line.split("\\|", -1);
            if (cells.length == 8
                    && !cells[2].isBlank()
                    && Character.isDigit(cells[2].strip().charAt(0))) {
                rows.add(
                        new Row(
                                cells[1].strip(),
                                Long.parseLong(cells[2].strip().replace(",", "")),
                                Integer.parseInt(cells[4].strip()),
                                mib(cells[5]),
                                mib(cells[6])));
            }
        }
        return rows;
    }

    /** "461.4 MiB", "1.1 GiB", "512.0 KiB" as MiB. */
    private static double mib(String cell) {
        String[] parts = cell.strip().split(" ");
        double value = Double.parseDouble(parts[0].replace(",", ""));
        return switch (parts[1]) {
            case "GiB" -> value * 1024;
            case "MiB" -> value;
            case "KiB" -> value / 1024;
            default -> value / MIB;
        };
    }
}
