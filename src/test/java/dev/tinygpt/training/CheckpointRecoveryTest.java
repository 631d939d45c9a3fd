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
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.io.SafetensorsWriter;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a kill can leave in a run's directory, made by hand, one by one, for every write a run
 * makes: the best model's files (a temporary file left, the weights replaced but not the rest), the
 * next checkpoint (half written, or whole but not yet renamed), between its two renames (only
 * {@code .checkpoint.old} complete), after them (the old one still there), while deleting the old
 * one, and while rewriting the state file for a new total. A resume takes the complete checkpoint,
 * cleans up, and ends with the files of a run never interrupted; two processes never write into one
 * directory. ({@link KilledTrainingTest} kills real processes at moments nobody chooses.)
 */
class CheckpointRecoveryTest {
    private static final String CORPUS = "to be or not to be, that is the question.\n".repeat(20);

    /** What the test compares with the uninterrupted run, byte for byte. */
    private static final List<String> FILES =
            List.of(
                    "checkpoint/model.safetensors",
                    "checkpoint/" + Checkpoints.OPTIMIZER,
                    "model.safetensors",
                    "config.json",
                    Checkpoints.METRICS);

    @TempDir Path dir;

    /** A new run of the tiny model on the corpus. */
    private static TrainingRun start(TrainingOptions options, Path out) throws IOException {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        return TrainingRun.start(
                TrainingRunTest.tiny(tokenizer, 16, 0f), tokenizer, CORPUS, options, out);
    }

    /** A state a kill leaves in {@code out}, a run whose last checkpoint is of step 8. */
    private interface Killed {
        void leave(Path out) throws IOException;
    }

    @Test
    void everyStateAKillInsideAWriteLeavesResumesToTheUninterruptedRun() throws Exception {
        TrainingOptions options = TrainingRunTest.options(12, 4, 1e-3f);
        Path whole = dir.resolve("whole");
        try (TrainingRun run = start(options, whole)) {
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            // The best model is the last one, written after the checkpoint of step 8: a kill
            // inside its write is replayed.
            assertEquals(12, run.best().orElseThrow().iter());
        }
        Path at8 = dir.resolve("at8");
        try (TrainingRun run = start(options, at8)) {
            run.train(8, TrainingRunTest.QUIET); // checkpoints at steps 4 and 8
        }
        Map<String, Killed> states = statesAKillLeaves(whole);
        int n = 0;
        for (Map.Entry<String, Killed> state : states.entrySet()) {
            Path out = dir.resolve("killed-" + n++);
            copy(at8, out);
            state.getValue().leave(out);
            try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
                assertEquals(8, run.iteration(), state.getKey());
                assertEquals(List.of(), leftovers(out), state.getKey() + ": cleaned up");
                run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            }
            for (String file : FILES) {
                assertArrayEquals(
                        Files.readAllBytes(whole.resolve(file)),
                        Files.readAllBytes(out.resolve(file)),
                        state.getKey() + ": " + file);
            }
        }
    }

    /**
     * Each state a kill inside a write leaves, made from a run stopped at its checkpoint of step 8;
     * {@code whole} is the run never interrupted.
     */
    private static Map<String, Killed> statesAKillLeaves(Path whole) {
        Map<String, Killed> states = new LinkedHashMap<>();
        states.put(
                "inside an atomic write of the best model",
                out -> {
                    Files.write(out.resolve(".model.safetensors4711.tmp"), new byte[] {4, 5, 6});
                    Files.write(out.resolve(".training.json12.tmp"), new byte[] {7});
                });
        states.put(
                "the best model's weights replaced, its config and metrics not yet",
                out -> copy(whole.resolve("model.safetensors"), out.resolve("model.safetensors")));
        states.put(
                "inside the next checkpoint's write",
                out -> {
                    Files.createDirectories(out.resolve(".checkpoint.tmp"));
                    Files.write(out.resolve(".checkpoint.tmp/model.safetensors"), new byte[] {1});
                });
        states.put(
                "the next checkpoint written whole, not yet renamed",
                out -> copy(out.resolve("checkpoint"), out.resolve(".checkpoint.tmp")));
        states.put(
                "between the two renames",
                out -> {
                    Files.move(out.resolve("checkpoint"), out.resolve(".checkpoint.old"));
                    copy(out.resolve(".checkpoint.old"), out.resolve(".checkpoint.tmp"));
                });
        states.put(
                "after the two renames, the old checkpoint not yet deleted",
                out -> copy(out.resolve("checkpoint"), out.resolve(".checkpoint.old")));
        states.put(
                "while deleting the old checkpoint, its state file gone first",
                out -> {
                    copy(out.resolve("checkpoint"), out.resolve(".checkpoint.old"));
                    Files.delete(out.resolve(".checkpoint.old/" + Checkpoints.STATE));
                });
        states.put(
                "inside the rewrite of the state file for a new total",
                out ->
                        Files.write(
                                out.resolve("checkpoint/.trainer-state.json77.tmp"),
                                new byte[] {9}));
        return states;
    }

    @Test
    void aSecondProcessNeverWritesIntoARunInUse() throws Exception {
        TrainingOptions options = TrainingRunTest.options(8, 4, 1e-3f);
        Path out = dir.resolve("run");
        try (TrainingRun run = start(options, out)) {
            run.train(4, TrainingRunTest.QUIET);
        }
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            for (Executable second :
                    List.<Executable>of(
                            () -> TrainingRun.resume(out, CORPUS), () -> start(options, out))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, second);
                assertTrue(
                        e.getMessage().contains("another tinygpt train is writing to " + out),
                        e.getMessage());
            }
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            assertEquals(8, run.iteration());
        }
    }

    /** Copies a file, or a directory with what it holds. */
    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (!Files.isDirectory(target)) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** What killed writes leave: temporary files and checkpoints other than checkpoint/. */
    private static List<String> leftovers(Path out) throws IOException {
        try (Stream<Path> paths = Files.walk(out)) {
            return paths.map(p -> out.relativize(p).toString())
                    .filter(n -> n.endsWith(".tmp") || n.startsWith(".checkpoint"))
                    .toList();
        }
    }

    @Test
    void aNewRunNeverReplacesOrDeletesTheUsersFiles() throws Exception {
        TrainingOptions options = TrainingRunTest.options(4, 4, 1e-3f);
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("config.json"), "{\"mine\": true}");
        Files.writeString(user.resolve(".session42.tmp"), "not tinygpt's");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> start(options, user));
        assertTrue(e.getMessage().contains("already holds config.json"), e.getMessage());
        assertEquals("{\"mine\": true}", Files.readString(user.resolve("config.json")));
        Files.delete(user.resolve("config.json"));
        try (TrainingRun run = start(options, user)) {
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
        }
        assertTrue(
                Files.exists(user.resolve(".session42.tmp")), "a file tinygpt did not write stays");
        // A run killed before its first checkpoint was complete (its lock file is there) may
        // start again.
        Path killed = Files.createDirectories(dir.resolve("killed-early"));
        Files.writeString(killed.resolve(".lock"), "");
        Files.writeString(killed.resolve("model.safetensors"), "half a model");
        Files.writeString(killed.resolve(".model.safetensors123.tmp"), "half a write");
        Files.createDirectories(killed.resolve(".checkpoint.tmp")); // inside the first checkpoint
        Files.writeString(killed.resolve(".checkpoint.tmp/model.safetensors"), "half");
        start(options, killed).close();
        assertEquals(List.of(), leftovers(killed));
    }

    @Test
    void aRefusedRunLeavesNothingItCreated() throws Exception {
        TrainingOptions options = TrainingRunTest.options(4, 4, 1e-3f);
        // Someone else's model: refused, and no lock file left beside it.
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.writeString(user.resolve("model.safetensors"), "not ours");
        List<String> before = listing(user);
        assertThrows(IllegalArgumentException.class, () -> start(options, user));
        assertEquals(before, listing(user));
        // A directory without a run to resume, likewise.
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.resume(user, CORPUS));
        assertEquals(before, listing(user));
        // A run's directory keeps its lock file: it marks the directory as a run's.
        Path run = dir.resolve("run");
        try (TrainingRun r = start(options, run)) {
            r.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
        }
        List<String> finished = listing(run);
        assertThrows(IllegalArgumentException.class, () -> start(options, run));
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
        Path out = dir.resolve("damaged");
        try (TrainingRun run = start(TrainingRunTest.options(8, 4, 1e-3f), out)) {
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
