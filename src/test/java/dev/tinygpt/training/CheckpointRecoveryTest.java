package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.io.SafetensorsWriter;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a kill can leave in a run's directory, made by hand, one by one: killed between the
 * checkpoint's two renames (only {@code .checkpoint.old} is complete), while writing the next
 * checkpoint ({@code .checkpoint.tmp} half written) and an atomic file (its temporary file left),
 * while deleting the old checkpoint. A resume takes the complete checkpoint, cleans up, and ends
 * with the weights of a run never interrupted; two processes never write into one directory.
 */
class CheckpointRecoveryTest {
    private static final String CORPUS = "to be or not to be, that is the question.\n".repeat(20);

    @TempDir Path dir;

    @Test
    void resumeAfterAKillBetweenTheRenamesOrInsideWrites() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        GptConfig config = TrainingRunTest.tiny(tokenizer, 16, 0f);
        TrainingOptions options = TrainingRunTest.options(12, 4, 1e-3f);
        List<float[]> uninterrupted;
        try (TrainingRun run =
                TrainingRun.start(config, tokenizer, CORPUS, options, dir.resolve("whole"))) {
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            uninterrupted = TrainingRunTest.weights(run);
        }
        Path out = dir.resolve("killed");
        try (TrainingRun run =
                TrainingRun.start(
                        config, CharTokenizer.fromCorpus(CORPUS, false), CORPUS, options, out)) {
            run.train(8, TrainingRunTest.QUIET); // checkpoints at steps 4 and 8
        }
        // Killed between the renames of a later save: checkpoint/ moved away, the next one half
        // written, and an atomic write of the best model cut short.
        Files.move(out.resolve("checkpoint"), out.resolve(".checkpoint.old"));
        Files.createDirectories(out.resolve(".checkpoint.tmp"));
        Files.write(out.resolve(".checkpoint.tmp/model.safetensors"), new byte[] {1, 2, 3});
        Files.write(out.resolve(".model.safetensors4711.tmp"), new byte[] {4, 5, 6});

        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(8, run.iteration(), "the complete checkpoint of step 8 is taken");
            assertTrue(Files.isRegularFile(out.resolve("checkpoint/" + Checkpoints.STATE)));
            for (String gone :
                    new String[] {
                        ".checkpoint.old", ".checkpoint.tmp", ".model.safetensors4711.tmp"
                    }) {
                assertFalse(Files.exists(out.resolve(gone)), gone + " is cleaned up");
            }
            // A second process may not write into the directory while this one does.
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> TrainingRun.resume(out, CORPUS));
            assertTrue(
                    e.getMessage().contains("another tinygpt train is writing to " + out),
                    e.getMessage());

            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            List<float[]> resumed = TrainingRunTest.weights(run);
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), resumed.get(i), 0f, "parameter " + i);
            }
        }

        // Killed while deleting the old checkpoint (its state file goes first): it is not taken.
        Files.createDirectories(out.resolve(".checkpoint.old"));
        Files.write(out.resolve(".checkpoint.old/model.safetensors"), new byte[] {7});
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(12, run.iteration());
            assertFalse(Files.exists(out.resolve(".checkpoint.old")));
        }
    }

    @Test
    void aNewRunNeverReplacesOrDeletesTheUsersFiles() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        GptConfig config = TrainingRunTest.tiny(tokenizer, 16, 0f);
        TrainingOptions options = TrainingRunTest.options(4, 4, 1e-3f);
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("config.json"), "{\"mine\": true}");
        Files.writeString(user.resolve(".session42.tmp"), "not tinygpt's");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.start(config, tokenizer, CORPUS, options, user));
        assertTrue(e.getMessage().contains("already holds config.json"), e.getMessage());
        assertEquals("{\"mine\": true}", Files.readString(user.resolve("config.json")));
        Files.delete(user.resolve("config.json"));
        try (TrainingRun run = TrainingRun.start(config, tokenizer, CORPUS, options, user)) {
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
        }
        assertTrue(
                Files.exists(user.resolve(".session42.tmp")), "a file tinygpt did not write stays");
        // A run killed before its first checkpoint (its lock file is there) may start again.
        Path killed = Files.createDirectories(dir.resolve("killed-early"));
        Files.writeString(killed.resolve(".lock"), "");
        Files.writeString(killed.resolve("model.safetensors"), "half a model");
        Files.writeString(killed.resolve(".model.safetensors123.tmp"), "half a write");
        TrainingRun.start(config, tokenizer, CORPUS, options, killed).close();
        assertFalse(Files.exists(killed.resolve(".model.safetensors123.tmp")));
    }

    @Test
    void aRefusedRunLeavesNothingItCreated() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        GptConfig config = TrainingRunTest.tiny(tokenizer, 16, 0f);
        TrainingOptions options = TrainingRunTest.options(4, 4, 1e-3f);
        // Someone else's model: refused, and no lock file left beside it.
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("model.safetensors"), "not ours");
        List<String> before = listing(user);
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingRun.start(config, tokenizer, CORPUS, options, user));
        assertEquals(before, listing(user));
        // A directory without a run to resume, likewise.
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.resume(user, CORPUS));
        assertEquals(before, listing(user));
        // A run's directory keeps its lock file: it marks the directory as a run's.
        Path run = dir.resolve("run");
        try (TrainingRun r = TrainingRun.start(config, tokenizer, CORPUS, options, run)) {
            r.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
        }
        List<String> finished = listing(run);
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingRun.start(config, tokenizer, CORPUS, options, run));
        assertEquals(finished, listing(run));
        assertTrue(finished.contains(DirectoryLock.FILE), finished.toString());
        // Directories the lock created go with it; one that was there stays.
        Path nested = dir.resolve("new/deeper/out");
        DirectoryLock.create(nested).abandon();
        assertFalse(Files.exists(dir.resolve("new")));
        assertTrue(Files.isDirectory(dir));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void damagedOptimizerStateAndTrainerStateAreNamed() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        GptConfig config = TrainingRunTest.tiny(tokenizer, 16, 0f);
        Path out = dir.resolve("damaged");
        try (TrainingRun run =
                TrainingRun.start(
                        config, tokenizer, CORPUS, TrainingRunTest.options(8, 4, 1e-3f), out)) {
            run.train(4, TrainingRunTest.QUIET);
        }
        Path optimizer = out.resolve("checkpoint/" + Checkpoints.OPTIMIZER);
        Path state = out.resolve("checkpoint/" + Checkpoints.STATE);
        byte[] goodOptimizer = Files.readAllBytes(optimizer);
        String goodState = Files.readString(state);
        int before = TestModels.liveArrays();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            try (SafetensorsReader r = SafetensorsReader.open(optimizer)) {
                for (String name : r.tensors().keySet()) {
                    moments.put(name, r.readFloat32(name, m));
                }
            }
            damage(optimizer, moments, d -> d.remove("v.wte.weight"));
            assertResumeError(out, optimizer + ": missing the optimizer moment 'v.wte.weight'");
            damage(optimizer, moments, d -> d.put("m.ln_f.bias", m.zeros(new Shape(3))));
            assertResumeError(out, "'m.ln_f.bias' has shape (3) but its parameter has (32)");
            damage(optimizer, moments, d -> d.put("momentum.x", m.zeros(new Shape(1))));
            assertResumeError(out, "unexpected optimizer state [momentum.x]");
        }
        Files.write(optimizer, goodOptimizer);
        Files.writeString(state, goodState.replace("\"iter\": 4", "\"iter\": 1.5"));
        assertResumeError(
                out, state + ": malformed trainer state (iter must be a step number, got 1.5)");
        Files.writeString(state, goodState.replace("\"iter\": 4", "\"iter\": 99"));
        assertResumeError(out, "iter 99 is past max_iters 8");
        Files.writeString(state, goodState);
        assertEquals(before, TestModels.liveArrays(), "failed resumes leave no arrays");
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(4, run.iteration(), "the repaired run resumes");
        }
    }

    /** Rewrites the optimizer file with a changed copy of its moments. */
    private static void damage(
            Path file, Map<String, NDArray> moments, Consumer<Map<String, NDArray>> change)
            throws Exception {
        Map<String, NDArray> damaged = new LinkedHashMap<>(moments);
        change.accept(damaged);
        SafetensorsWriter.write(file, damaged);
    }

    private static void assertResumeError(Path out, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainingRun.resume(out, CORPUS));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aDirectoryWithoutACompleteCheckpointIsNamed() throws Exception {
        Path out = Files.createDirectories(dir.resolve("none"));
        Files.createDirectories(out.resolve(".checkpoint.tmp")); // killed inside the first write
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainingRun.resume(out, CORPUS));
        assertTrue(e.getMessage().startsWith("no training checkpoint in " + out), e.getMessage());
        Files.createDirectories(out.resolve("checkpoint"));
        Files.writeString(out.resolve("checkpoint/" + Checkpoints.STATE), "{\"iter\": \"x\"");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.resume(out, CORPUS));
        assertTrue(
                e.getMessage()
                        .startsWith(out.resolve("checkpoint/" + Checkpoints.STATE).toString()),
                e.getMessage());
    }
}
