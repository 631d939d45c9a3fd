package dev.tinygpt.training;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 during checkpoint writes: a real {@code tinygpt train} process is killed the moment it
 * starts writing a checkpoint or the best model (seen through inotify), four times over (more if
 * none lands inside a write), resumed after each kill. Every time, the last complete checkpoint
 * loads and generates, and the top level is a model that loads whenever it has a {@code
 * config.json}; the run finally resumes to its end and writes byte for byte the files of a run that
 * was never interrupted.
 */
class KilledTrainingTest {
    private static final String[] OPTIONS = {
        "--preset",
        "char-tiny",
        "--max-iters",
        "120",
        "--eval-interval",
        "3",
        "--eval-iters",
        "1",
        "--batch-size",
        "8"
    };

    @TempDir Path dir;

    @Test
    void killsMidWriteNeverBreakTheRunAndItResumesToTheSameBytes() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, corpus(new Random(5)));
        Path reference = dir.resolve("reference");
        assertEquals(0, run(train(corpus, "--out", reference), -1, reference), "the reference run");

        Path out = Files.createDirectories(dir.resolve("killed"));
        int midWrite = 0;
        int round = 0;
        // Four kills, and up to four more while none has landed inside a write (a kill that
        // arrives just after a write ended leaves nothing to recover from).
        for (; round < 4 || (midWrite == 0 && round < 8); round++) {
            String[] args = round == 0 ? train(corpus, "--out", out) : resume(corpus, out);
            // Kill at the 3rd to 6th big write of the process: the best model's weights or a
            // checkpoint, after at least one checkpoint is complete.
            int code = run(args, 3 + round % 4, out);
            assertNotEquals(0, code, "round " + round + " was killed before it finished");
            midWrite += leftovers(out) ? 1 : 0;
            assertLoads(lastCheckpoint(out));
            if (Files.exists(out.resolve("config.json"))) {
                assertLoads(out);
            }
        }
        System.out.printf("KilledTrainingTest: %d kills, %d inside a write%n", round, midWrite);
        assertTrue(midWrite > 0, "no kill landed inside a write; the test proved nothing");

        assertEquals(0, run(resume(corpus, out), -1, out), "the final resume");
        assertTrue(!leftovers(out), "a finished run leaves no temporary files");
        for (String file :
                List.of(
                        "checkpoint/model.safetensors",
                        "checkpoint/optimizer.safetensors",
                        "model.safetensors",
                        "config.json",
                        "tinygpt-tokenizer.json")) {
            assertArrayEquals(
                    Files.readAllBytes(reference.resolve(file)),
                    Files.readAllBytes(out.resolve(file)),
                    file + " differs from the uninterrupted run's");
        }
    }

    /**
     * Runs {@code tinygpt args} in a new JVM and, when {@code killAt > 0}, kills it with SIGKILL as
     * soon as its {@code killAt}-th big write into {@code out} begins. Returns the exit code.
     */
    private int run(String[] args, int killAt, Path out) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dai.djl.offline=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("dev.tinygpt.cli.Main");
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "train", ".log");
        Files.createDirectories(out);
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            out.register(watch, ENTRY_CREATE);
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            int writes = 0;
            while (killAt > 0 && process.isAlive()) {
                WatchKey key = watch.poll(50, TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                for (WatchEvent<?> event : key.pollEvents()) {
                    String name = String.valueOf(event.context());
                    boolean big =
                            name.equals(".checkpoint.tmp") || name.startsWith(".model.safetensors");
                    if (big && ++writes == killAt) {
                        process.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook
                    }
                }
                key.reset();
            }
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "train did not finish");
            int code = process.exitValue();
            if (killAt <= 0 && code != 0) {
                throw new AssertionError("train failed: " + Files.readString(log));
            }
            return code;
        }
    }

    private static String[] train(Path corpus, String flag, Path out) {
        List<String> args =
                new ArrayList<>(
                        List.of("train", "--corpus", corpus.toString(), flag, out.toString()));
        args.addAll(List.of(OPTIONS));
        return args.toArray(String[]::new);
    }

    private static String[] resume(Path corpus, Path out) {
        return new String[] {"train", "--corpus", corpus.toString(), "--resume", out.toString()};
    }

    /**
     * The complete checkpoint a resume would take: checkpoint/, or .checkpoint.old/ between
     * renames.
     */
    private static Path lastCheckpoint(Path out) {
        for (String name : new String[] {Checkpoints.LAST, ".checkpoint.old"}) {
            Path candidate = out.resolve(name);
            if (Files.isRegularFile(candidate.resolve(Checkpoints.STATE))) {
                return candidate;
            }
        }
        throw new AssertionError("no complete checkpoint in " + out);
    }

    /**
     * Whether a killed write left its temporaries: the checkpoint being written, or a temp file.
     */
    private static boolean leftovers(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.equals(".checkpoint.tmp") || n.endsWith(".tmp"));
        }
    }

    private static void assertLoads(Path modelDir) throws IOException {
        try (LanguageModel lm = LanguageModel.load(modelDir)) {
            int[] prompt = lm.tokenizer().orElseThrow().encode("to be");
            assertEquals(
                    prompt.length + 3,
                    lm.generate(prompt, GenerationOptions.greedy(3)).tokens().length);
        }
    }

    /** ~40 KB of text in a small alphabet. */
    private static String corpus(Random random) {
        String[] words = {
            "to",
            "be",
            "or",
            "not",
            "that",
            "is",
            "the",
            "question",
            "whether",
            "tis",
            "nobler",
            "in",
            "mind"
        };
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 40_000) {
            sb.append(words[random.nextInt(words.length)])
                    .append(random.nextInt(8) == 0 ? ",\n" : " ");
        }
        return sb.toString();
    }
}
