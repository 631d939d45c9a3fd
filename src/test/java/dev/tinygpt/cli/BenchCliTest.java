package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.CliRunner;
import dev.tinygpt.CliRunner.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class BenchCliTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--models|gpt3|unknown preset 'gpt3'; choose one of exercise, gpt2-small, char-tiny",
                "--repeats|0|--repeats must be ≥ 1, got 0",
                "--warmup|-1|--warmup must be ≥ 0, got -1",
                "--batches|4,0|--batches must be ≥ 1, got 0",
                "--max-tokens|0|--max-tokens must be ≥ 1, got 0",
                "--suite|fast|bad --suite 'fast'",
                "--soak-calls|0|--soak-calls must be ≥ 1, got 0",
            })
    void badOptionsGetOneLineAndExitCode2(String option, String value, String message) {
        Run r = CliRunner.run("bench", option, value);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void theGridWritesCsvMarkdownAndThePlot() throws IOException {
        Path out = dir.resolve("results");
        Run r =
                CliRunner.run(
                        "bench",
                        "--models",
                        "char-tiny", // any preset: its config with random weights
                        "--batches",
                        "1,4",
                        "--repeats",
                        "1",
                        "--warmup",
                        "0",
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("bench.csv"));
        assertEquals(1 + 2 * 6, csv.size()); // header, 2 batches × 6 lengths
        assertTrue(csv.get(1).startsWith("char-tiny,1,1,"), csv.get(1));
        String md = Files.readString(out.resolve("bench.md"));
        for (String part : List.of("## Machine", "## char-tiny", "## Memory", "## Targets")) {
            assertTrue(md.contains(part), part);
        }
        BufferedImage png = ImageIO.read(out.resolve("bench.png").toFile());
        assertEquals(1400, png.getWidth());
        assertEquals(450, png.getHeight()); // one model, one row of two charts
        assertTrue(r.out().contains("Wrote "), r.out());
    }

    @Test
    void optionsOfAnotherSuiteAreRefusedNotIgnored() {
        Run r = CliRunner.run("bench", "--suite", "grid", "--model", "models/exercise");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "--model applies to --suite profile and contention and fresh and"
                                        + " serve, not to grid"),
                r.err());
        r = CliRunner.run("bench", "--suite", "soak", "--json");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--json applies to --suite machine and profile and serve"),
                r.err());
        r = CliRunner.run("bench", "--suite", "grid", "--clients", "2");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--clients applies to --suite serve, not to grid"), r.err());
        r = CliRunner.run("bench", "--suite", "machine", "--out", dir.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--out applies to --suite grid and all, not to machine"), r.err());
        r = CliRunner.run("bench", "--suite", "batch", "--soak-tokens", "5");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--soak-tokens applies to --suite soak and all, not to batch"),
                r.err());
        r = CliRunner.run("bench", "--suite", "soak", "--repeats", "2");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--repeats applies to --suite grid and machine"), r.err());
        // The grid's --max-tokens is not the serve suite's max_tokens (--decode-steps): refused.
        r =
                CliRunner.run(
                        "bench",
                        "--suite",
                        "serve",
                        "--url",
                        "http://127.0.0.1:1",
                        "--max-tokens",
                        "32");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--max-tokens applies to --suite grid and all, not to serve"),
                r.err());
        r =
                CliRunner.run(
                        "bench",
                        "--suite",
                        "serve",
                        "--url",
                        "http://127.0.0.1:1",
                        "--repeats",
                        "3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--repeats applies to --suite grid and machine"), r.err());
        r = CliRunner.run("bench", "--suite", "grid", "--soak-calls", "5");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--soak-calls applies to --suite soak and serve and all"),
                r.err());
        r = CliRunner.run("bench", "--suite", "serve");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "--suite serve needs --model DIR (a server to start) or --url URL"),
                r.err());
    }

    @Test
    void theMachineSuiteMeasuresTheLimitsAsOneJsonObject() {
        Run r = CliRunner.run("bench", "--suite", "machine", "--repeats", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        double read = o.get("read_bandwidth_gbps").getAsDouble();
        double gflops = o.get("matmul_gflops").getAsDouble();
        double floor = o.get("decode_matmul_floor_tokens_per_second").getAsDouble();
        double bound = o.get("decode_bandwidth_bound_tokens_per_second").getAsDouble();
        assertTrue(read > 0.5 && read < 10_000, r.out());
        assertTrue(gflops > 0.5, r.out());
        assertTrue(floor > 0.1, r.out());
        // GPT-2 small's matmul weights, fp32, read once per token: the bound is bandwidth / that.
        long bytes = 4L * (12 * (4 * 768 * 768 + 2 * 768 * 3072) + 50_257 * 768);
        assertEquals(bytes, o.get("decode_bytes_per_token").getAsLong());
        assertEquals(read * 1e9 / bytes, bound, 0.01 + bound * 1e-3);
        assertEquals(
                1000 / o.get("decode_matmul_floor_ms").getAsDouble(), floor, 0.01 + floor * 1e-3);
    }

    @Test
    void theProfileSplitsADecodeStepIntoItsKindsOfWork() {
        Run r =
                CliRunner.run(
                        "bench",
                        "--suite",
                        "profile",
                        "--model",
                        "models/exercise",
                        "--prompt-tokens",
                        "4",
                        "--decode-steps",
                        "8",
                        "--repeats",
                        "1",
                        "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonObject kinds = o.getAsJsonObject("kinds_ms");
        for (String kind :
                List.of(
                        "projection",
                        "layer_norm",
                        "cache",
                        "scores",
                        "softmax",
                        "values",
                        "activation",
                        "head",
                        "logits_copy",
                        "sampling",
                        "streaming",
                        "stop_rules")) {
            assertTrue(kinds.has(kind) && kinds.get(kind).getAsDouble() >= 0, kind + ": " + o);
        }
        double sum = kinds.entrySet().stream().mapToDouble(e -> e.getValue().getAsDouble()).sum();
        assertEquals(
                o.get("profiled_step_ms").getAsDouble(),
                sum + o.get("rest_ms").getAsDouble(),
                1e-9);
        // The exercise model's step: 3 layers' worth of matmuls (4 projections, 2 in attention)
        // and the head, as libtorch counted them.
        double matmuls =
                o.getAsJsonObject("native_calls_by_operator").get("aten::matmul").getAsDouble();
        assertEquals(3 * 6 + 1, matmuls, 0.01, o.toString());
        assertTrue(o.get("native_calls_per_step").getAsDouble() > matmuls, o.toString());
    }

    @Test
    void contentionAndFreshSuitesCompareSideBySide() {
        Run r =
                CliRunner.run(
                        "bench",
                        "--suite",
                        "contention",
                        "--model",
                        "models/exercise",
                        "--decode-steps",
                        "8",
                        "--repeats",
                        "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| exercise | "), r.out());
        assertTrue(r.out().contains("Medians of 1 rounds, alternating."), r.out());
        r =
                CliRunner.run(
                        "bench",
                        "--suite",
                        "fresh",
                        "--model",
                        "models/exercise",
                        "--decode-steps",
                        "8",
                        "--repeats",
                        "1");
        assertEquals(0, r.code(), r.err());
        String row =
                r.out().lines().filter(l -> l.startsWith("| exercise |")).findFirst().orElseThrow();
        String[] cells = row.split("\\|");
        assertTrue(Double.parseDouble(cells[2].strip()) > 0, row); // the fresh process's figure
        assertTrue(Double.parseDouble(cells[3].strip()) > 0, row);
        assertTrue(cells[6].strip().matches("\\d+\\.\\d ms"), row); // fresh prefill
        assertTrue(cells[7].strip().matches("\\d+\\.\\d ms"), row); // warm prefill
    }

    @Test
    void helpDocumentsEveryOption() {
        Run r = CliRunner.run("bench", "--help");
        assertEquals(0, r.code());
        for (String option :
                List.of(
                        "--suite",
                        "--models",
                        "--batches",
                        "--max-tokens",
                        "--repeats",
                        "--warmup",
                        "--out",
                        "--soak-tokens",
                        "--soak-calls")) {
            assertTrue(r.out().contains(option), option);
        }
        // Every option but --help and --version says its default (or that it has none).
        for (OptionSpec option : new CommandLine(new BenchCommand()).getCommandSpec().options()) {
            String description = String.join(" ", option.description());
            assertTrue(
                    option.usageHelp() || option.versionHelp() || description.contains("default"),
                    option.longestName() + ": " + description);
        }
    }
}
