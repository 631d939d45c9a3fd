package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinygpt train}: log lines off a terminal, a loadable result, resume, errors. */
class TrainCliTest {
    @TempDir Path dir;

    @Test
    void trainsResumesAndTheResultGenerates() throws Exception {
        Path corpus =
                Files.writeString(
                        dir.resolve("corpus.txt"),
                        "the quick brown fox jumps over the lazy dog. ".repeat(60));
        Path out = dir.resolve("run");
        CliRunner.Run r =
                CliRunner.run(
                        "train",
                        "--corpus",
                        corpus.toString(),
                        "--out",
                        out.toString(),
                        "--preset",
                        "char-tiny",
                        "--max-iters",
                        "20",
                        "--eval-interval",
                        "10",
                        "--eval-iters",
                        "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("initial loss"), r.out());
        assertTrue(r.out().contains("step 1/20 | loss"), r.out());
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*eval step 20 \\| train loss [0-9.]+ \\| val loss [0-9.]+ \\| lr [0-9.e+-]+ \\| [0-9,]+ tokens/s.*"),
                r.out());

        CliRunner.Run g =
                CliRunner.run(
                        "generate",
                        "--model",
                        out.toString(),
                        "--prompt",
                        "the ",
                        "--max-new-tokens",
                        "10");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().startsWith("the "), g.out());

        CliRunner.Run again =
                CliRunner.run(
                        "train",
                        "--corpus",
                        corpus.toString(),
                        "--out",
                        out.toString(),
                        "--preset",
                        "char-tiny");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a training run"), again.err());

        CliRunner.Run resumed =
                CliRunner.run("train", "--corpus", corpus.toString(), "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + out + " at step 20 of 20"), resumed.out());
    }

    @Test
    void badCorporaAndOptionsAreOneLineErrors() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path shortText = Files.writeString(dir.resolve("short.txt"), "too short");
        Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xC3, (byte) 0x28});
        bad("empty corpus", "--corpus", empty.toString(), "--out", dir.resolve("a").toString());
        bad(
                "needs at least",
                "--corpus",
                shortText.toString(),
                "--out",
                dir.resolve("b").toString(),
                "--preset",
                "char-tiny");
        bad(
                "is not valid UTF-8",
                "--corpus",
                binary.toString(),
                "--out",
                dir.resolve("c").toString());
        bad(
                "file not found",
                "--corpus",
                dir.resolve("none.txt").toString(),
                "--out",
                dir.resolve("d").toString());
        bad(
                "unknown preset 'huge'",
                "--corpus",
                shortText.toString(),
                "--out",
                dir.resolve("e").toString(),
                "--preset",
                "huge");
        bad(
                "--lr must be > 0",
                "--corpus",
                shortText.toString(),
                "--out",
                dir.resolve("f").toString(),
                "--lr",
                "0");
        bad("--out DIR is required", "--corpus", shortText.toString());
    }

    @Test
    void aRefusedOutLeavesTheDirectoryAsItWas() throws Exception {
        Path corpus =
                Files.writeString(dir.resolve("corpus.txt"), "to be or not to be. ".repeat(60));
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("config.json"), "{}");
        CliRunner.Run r =
                CliRunner.run(
                        "train",
                        "--corpus",
                        corpus.toString(),
                        "--out",
                        user.toString(),
                        "--preset",
                        "char-tiny");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("already holds config.json"), r.err());
        try (Stream<Path> files = Files.list(user)) {
            assertEquals(List.of(user.resolve("config.json")), files.toList());
        }
    }

    private static void bad(String message, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRunner.Run r = CliRunner.run(all);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
