package dev.tinygpt.training;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.CharTokenizer;
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
 * Kill -9 at any moment: a real {@code tinygpt train} process is killed with SIGKILL at four
 * moments drawn from a seeded generator (a few milliseconds after the start of its 1st to 5th big
 * write, a checkpoint or the best model, seen through inotify), and resumed after each kill. Where
 * a kill lands is up to the machine: inside a write, between writes, in a step, or after the
 * process ended; the test asserts only what must hold wherever it lands. After every kill the last
 * complete checkpoint loads and generates, and the top level is a model that loads whenever it has
 * a {@code config.json}; the run finally resumes to its end and writes byte for byte the files of a
 * run that was never interrupted. A LoRA run (adapters on a base model, written as PEFT adapter
 * directories) is killed twice and holds to the same. Each state a kill inside a write can leave is
 * made by hand, one by one, in {@link CheckpointRecoveryTest}.
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

    /** What a LoRA run trains on a base model made from the corpus. */
    private static final String[] LORA = {
        "--max-iters",
        "60",
        "--eval-interval",
        "3",
        "--eval-iters",
        "1",
        "--batch-size",
        "8",
        "--lora-rank",
        "4",
        "--lora-targets",
        "c_attn,c_fc"
    };

    @TempDir Path dir;

    @Test
    void killsAtAnyMomentNeverBreakTheRunAndItResumesToTheSameBytes() throws Exception {
        killAndResume(
                List.of(OPTIONS),
                null,
                4,
                List.of(
                        "checkpoint/model.safetensors",
                        "checkpoint/optimizer.safetensors",
                        "model.safetensors",
                        "config.json",
                        "tinygpt-tokenizer.json"));
    }

    @Test
    void killsOfALoraRunLoseNothingEither() throws Exception {
        Path base = dir.resolve("base");
        String text = corpus(new Random(5));
        CharTokenizer chars = CharTokenizer.fromCorpus(text, false);
        GptConfig shape = Presets.byName("char-tiny").config();
        try (LanguageModel lm =
                LanguageModel.create(
                        shape.toBuilder().vocabSize(chars.vocabSize()).build(), 3, chars)) {
            lm.save(base);
        }
        List<String> options = new ArrayList<>(List.of("--init-from", base.toString()));
        options.addAll(List.of(LORA));
        killAndResume(
                options,
                base,
                2,
                List.of(
                        "checkpoint/adapter_model.safetensors",
                        "checkpoint/optimizer.safetensors",
                        "adapter_model.safetensors",
                        "adapter_config.json"));
    }

    /**
     * A reference run with {@code options}, then a run killed {@code kills} times and resumed after
     * each: every state between loads (a LoRA run's adapters on {@code base}), and the end holds
     * {@code files} byte for byte as the reference.
     */
    private void killAndResume(List<String> options, Path base, int kills, List<String> files)
            throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, corpus(new Random(5)));
        Path reference = dir.resolve("reference");
        assertEquals(0, run(train(corpus, reference, options), null, reference), "the reference");

        Path out = Files.createDirectories(dir.resolve("killed"));
        Random moments = new Random(20_260_414);
        int midWrite = 0;
        for (int round = 0; round < kills; round++) {
            Kill kill = new Kill(1 + moments.nextInt(5), moments.nextInt(40));
            run(next(corpus, out, options), kill, out);
            midWrite += leftovers(out) ? 1 : 0;
            if (lastCheckpoint(out) != null) {
                assertLoads(lastCheckpoint(out), base);
            }
            if (Files.exists(out.resolve(base == null ? "config.json" : "adapter_config.json"))) {
                assertLoads(out, base);
            }
        }
        System.out.printf(
                "KilledTrainingTest: %d kills at seeded moments, %d of them inside a write%n",
                kills, midWrite);

        assertEquals(0, run(next(corpus, out, options), null, out), "the final run");
        assertTrue(!leftovers(out), "a finished run leaves no temporary files");
        for (String file : files) {
            assertArrayEquals(
                    Files.readAllBytes(reference.resolve(file)),
                    Files.readAllBytes(out.resolve(file)),
                    file + " differs from the uninterrupted run's");
        }
    }

    /** SIGKILL {@code delayMillis} after the {@code write}-th big write of the process begins. */
    private record Kill(int write, int delayMillis) {}

    /**
     * Runs {@code tinygpt args} in a new JVM and kills it as {@code kill} says (when not null).
     * Returns the exit code; one that was not killed must succeed.
     */
    private int run(String[] args, Kill kill, Path out) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dai.djl.offline=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("dev.tinygpt.cli.Main");
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "train", ".log");
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            Files.createDirectories(out);
            out.register(watch, ENTRY_CREATE);
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            boolean killed = kill != null && killAt(process, watch, kill);
            // Only a hang should fail here: a loaded 2-core machine took over 120 s for one run.
            assertTrue(process.waitFor(600, TimeUnit.SECONDS), "train did not finish in 10 min");
            int code = process.exitValue();
            if (!killed && code != 0) {
                throw new AssertionError("train failed: " + Files.readString(log));
            }
            return code;
        }
    }

    /** Kills the process at the moment {@code kill} names; false if it ended before. */
    private static boolean killAt(Process process, WatchService watch, Kill kill)
            throws InterruptedException {
        int writes = 0;
        while (process.isAlive()) {
            WatchKey key = watch.poll(20, TimeUnit.MILLISECONDS);
            if (key == null) {
                continue;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                String name = String.valueOf(event.context());
                boolean big =
                        name.equals(".checkpoint.tmp")
                                || name.startsWith(".model.safetensors")
                                || name.startsWith(".adapter_model.safetensors");
                if (big && ++writes == kill.write()) {
                    Thread.sleep(kill.delayMillis());
                    process.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook
                    return true;
                }
            }
            key.reset();
        }
        return false;
    }

    /** The next command: a resume once a checkpoint is complete, a new start before. */
    private static String[] next(Path corpus, Path out, List<String> options) {
        return lastCheckpoint(out) != null ? resume(corpus, out) : train(corpus, out, options);
    }

    private static String[] train(Path corpus, Path out, List<String> options) {
        List<String> args =
                new ArrayList<>(
                        List.of("train", "--corpus", corpus.toString(), "--out", out.toString()));
        args.addAll(options);
        return args.toArray(String[]::new);
    }

    private static String[] resume(Path corpus, Path out) {
        return new String[] {"train", "--corpus", corpus.toString(), "--resume", out.toString()};
    }

    /**
     * The complete checkpoint a resume would take: checkpoint/, or .checkpoint.old/ between
     * renames; null before the first is complete.
     */
    private static Path lastCheckpoint(Path out) {
        for (String name : new String[] {Checkpoints.LAST, ".checkpoint.old"}) {
            Path candidate = out.resolve(name);
            if (Files.isRegularFile(candidate.resolve(Checkpoints.STATE))) {
                return candidate;
            }
        }
        return null;
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

    /** The model in {@code dir} generates; or the adapter in {@code dir} on {@code base}. */
    private static void assertLoads(Path dir, Path base) throws IOException {
        try (LanguageModel lm =
                base == null ? LanguageModel.load(dir) : LanguageModel.load(base, dir)) {
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
