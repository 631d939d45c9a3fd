package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class BenchCliTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--models|gpt3|unknown model 'gpt3' for --models",
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
                        "exercise",
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
        assertTrue(csv.get(1).startsWith("exercise,1,1,"), csv.get(1));
        String md = Files.readString(out.resolve("bench.md"));
        for (String part : List.of("## Machine", "## exercise", "## Memory", "## Targets")) {
            assertTrue(md.contains(part), part);
        }
        assertTrue(md.contains("| exercise decode, batch 1 | ≥ 2,000 tokens/s |"), md);
        BufferedImage png = ImageIO.read(out.resolve("bench.png").toFile());
        assertEquals(1400, png.getWidth());
        assertEquals(450, png.getHeight()); // one model, one row of two charts
        assertTrue(r.out().contains("Wrote "), r.out());
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
    }
}
