package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.CliRunner;
import dev.tinygpt.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code tinygpt train}: log lines off a terminal, a loadable result, resume (to a new total, every
 * other option refused), errors.
 */
class TrainCliTest {
    @TempDir Path dir;

    @Test
    void trainsResumesAndTheResultGenerates() throws Exception {
        Path corpus = corpus("the quick brown fox jumps over the lazy dog. ");
        Path out = dir.resolve("run");
        CliRunner.Run r = train(corpus, out, "--max-iters 20 --eval-interval 10 --eval-iters 2");
        assertEquals(0, r.code(), r.err());
        // Status and progress on standard error, the closing line alone on standard output.
        assertTrue(r.err().contains("initial loss"), r.err());
        assertTrue(
                r.err()
                        .matches(
                                "(?s).*step 1/20 \\| loss [0-9.]+ \\| .* \\| [0-9:]+, eta [0-9:]+\n.*"),
                r.err());
        assertTrue(
                r.err()
                        .matches(
                                "(?s).*eval step 20 \\| train loss [0-9.]+ \\| val loss [0-9.]+ \\| lr [0-9.e+-]+ \\| [0-9,]+ tokens/s.*"),
                r.err());
        assertTrue(
                r.out()
                        .matches(
                                "saved best model to \\Q"
                                        + out
                                        + "\\E \\(step (10|20), val loss [0-9.]+\\)\n"),
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

        CliRunner.Run again = train(corpus, out, "");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a training run"), again.err());

        CliRunner.Run complete =
                CliRunner.run("train", "--corpus", corpus.toString(), "--resume", out.toString());
        assertEquals(0, complete.code(), complete.err());
        assertEquals(
                out
                        + " is complete at step 20 of 20; to train on, resume with --max-iters N"
                        + " (more than 20)\n",
                complete.out());
    }

    @Test
    void resumeExtendsARunAndRefusesEveryOtherOption() throws Exception {
        Path corpus = corpus("the quick brown fox jumps over the lazy dog. ");
        Path out = dir.resolve("run");
        CliRunner.Run first = train(corpus, out, "--max-iters 10 --eval-interval 5 --eval-iters 1");
        assertEquals(0, first.code(), first.err());
        String[] resume = {"train", "--corpus", corpus.toString(), "--resume", out.toString()};

        for (String option : fixedOnResume()) {
            // Typed, even with the run's own value, is refused: it would otherwise be ignored.
            String value = option.equals("--preset") ? "char-tiny" : "1";
            String[] args =
                    option.equals("--unk") ? with(resume, option) : with(resume, option, value);
            CliRunner.Run r = CliRunner.run(args);
            assertEquals(2, r.code(), option + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(
                    r.err().startsWith("tinygpt: " + option + " cannot change on resume ("),
                    r.err());
        }
        CliRunner.Run lr = CliRunner.run(with(resume, "--lr", "0.001"));
        assertEquals("tinygpt: --lr cannot change on resume (the run's is 0.001)\n", lr.err());
        CliRunner.Run below = CliRunner.run(with(resume, "--max-iters", "9"));
        assertEquals(2, below.code());
        assertEquals(
                "tinygpt: --max-iters must be at least the run's current step 10, got 9\n",
                below.err());

        CliRunner.Run extended =
                CliRunner.run(with(resume, "--max-iters", "15", "--out", out.toString()));
        assertEquals(0, extended.code(), extended.err());
        assertTrue(
                extended.err()
                        .startsWith("resuming " + out + " at step 10 of 15 (the total was 10)\n"),
                extended.err());
        assertTrue(extended.err().contains("step 11/15 | loss"), extended.err());
        assertTrue(extended.err().contains("eval step 15 |"), extended.err());
        assertTrue(
                extended.out().startsWith("saved best model to " + out + " (step "),
                extended.out());
        CliRunner.Run again = CliRunner.run(resume);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith(out + " is complete at step 15 of 15;"), again.out());
    }

    @Test
    void aRunWithoutABestModelSaysWhatWasSaved() throws Exception {
        Path corpus = corpus("to be or not to be. ");
        Path out = dir.resolve("diverged");
        // A learning rate of 1e30 turns the weights to NaN at once: no evaluation improves.
        CliRunner.Run r =
                train(corpus, out, "--max-iters 4 --eval-interval 2 --eval-iters 1 --lr 1e30");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("val loss NaN"), r.err());
        assertEquals(
                "no evaluation gave a finite validation loss, so no best model was saved; the last"
                        + " state is in "
                        + out.resolve("checkpoint")
                        + " (step 4)\n",
                r.out());
    }

    /**
     * Every option of train but the corpus, the directories, the total steps and the threads (how
     * fast a step runs, not what it computes).
     */
    private static List<String> fixedOnResume() {
        List<String> options = new ArrayList<>();
        CommandLine train = new CommandLine(new Main()).getSubcommands().get("train");
        for (OptionSpec o : train.getCommandSpec().options()) {
            String name = o.longestName();
            if (!o.usageHelp()
                    && !o.versionHelp()
                    && !List.of("--corpus", "--out", "--resume", "--max-iters", "--threads")
                            .contains(name)) {
                options.add(name);
            }
        }
        assertEquals(22, options.size(), options.toString());
        return options;
    }

    /** A corpus of {@code text} 60 times over. */
    private Path corpus(String text) throws IOException {
        return Files.writeString(dir.resolve("corpus.txt"), text.repeat(60));
    }

    /** {@code train} of a new char-tiny run, with {@code options} (separated by spaces). */
    private static CliRunner.Run train(Path corpus, Path out, String options) {
        String[] args = {
            "train", "--corpus", corpus.toString(), "--out", out.toString(), "--preset", "char-tiny"
        };
        return CliRunner.run(options.isEmpty() ? args : with(args, options.split(" ")));
    }

    private static String[] with(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
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
        Path corpus = corpus("to be or not to be. ");
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("config.json"), "{}");
        CliRunner.Run r = train(corpus, user, "");
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
