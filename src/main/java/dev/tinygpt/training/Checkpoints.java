package dev.tinygpt.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.GptConfigJson;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.LoraConfigJson;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.AdapterDirectory;
import dev.tinygpt.io.AtomicFiles;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.io.SafetensorsWriter;
import dev.tinygpt.io.TensorInfo;
import dev.tinygpt.io.TokenFile;
import dev.tinygpt.io.TokenizerFiles;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training run's output directory. Its top level is the best model so far (by validation loss), a
 * model directory like any other plus {@code training.json}, or for a LoRA run the best adapter, a
 * PEFT adapter directory; {@code checkpoint/} is the last state: the model (a LoRA run's: its
 * adapter and the {@code config.json} of the model it trains), the optimizer's moments ({@code
 * optimizer.safetensors}) and {@code trainer-state.json}. The corpus's token file ({@link
 * TokenFile}) sits beside them.
 *
 * <p>What a kill at any instant leaves (tested by killing a training process mid-write):
 *
 * <ul>
 *   <li>Model files are replaced atomically one by one, {@code config.json} last, so the top level
 *       is either not yet a model (no {@code config.json}) or a complete one.
 *   <li>A checkpoint is written whole into {@code .checkpoint.tmp}, its {@code trainer-state.json}
 *       last, then {@code checkpoint} is renamed to {@code .checkpoint.old}, the new one renamed
 *       into place and the old one deleted (its state file first). So there is always a complete
 *       checkpoint with a state file: {@code checkpoint}, or between the two renames {@code
 *       .checkpoint.old}, which a resume moves back into place. A resume that changes the run's
 *       total steps replaces the state file alone, atomically.
 *   <li>A resume deletes what a killed write left: {@code .checkpoint.tmp} and the temporary files
 *       of atomic writes.
 * </ul>
 *
 * A run holds a {@link DirectoryLock} while it writes; a run refused before it starts leaves
 * nothing it created.
 */
final class Checkpoints implements AutoCloseable {
    static final String LAST = "checkpoint";
    static final String STATE = "trainer-state.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String METRICS = "training.json";
    private static final String OLD = "." + LAST + ".old";
    private static final String TEMP = "." + LAST + ".tmp";

    /**
     * What a run writes at its top level: the best model (or adapter) and its metrics, and the
     * corpus's tokens.
     */
    private static final List<String> OUTPUT_FILES =
            Stream.concat(
                            Stream.of(
                                    ModelDirectory.WEIGHTS_FILE,
                                    GptConfigJson.FILE_NAME,
                                    AdapterDirectory.WEIGHTS_FILE,
                                    LoraConfigJson.FILE_NAME,
                                    METRICS,
                                    TokenFile.IDS,
                                    TokenFile.INFO),
                            TokenizerFiles.NAMES.stream())
                    .toList();

    /**
     * What a checkpoint holds besides the arrays.
     *
     * @param lora a LoRA run's adapters, whose base model is where the tokenizer came from; null
     *     for a run that trains every weight
     */
    record Saved(GptConfig config, TokenizerFiles tokenizer, TrainerState state, LoraConfig lora) {}

    private final Path out;
    private final DirectoryLock lock;

    private Checkpoints(Path out, DirectoryLock lock) {
        this.out = out;
        this.lock = lock;
    }

    /** A new run's directory: created if needed, refused if it already holds a run. */
    static Checkpoints create(Path out) throws IOException {
        Checkpoints checkpoints = new Checkpoints(out, DirectoryLock.create(out));
        try {
            checkpoints.requireNoOutput();
            checkpoints.deleteLeftovers();
        } catch (IOException | RuntimeException e) {
            checkpoints.abandon(e);
            throw e;
        }
        return checkpoints;
    }

    /**
     * Refuses a directory that holds a run, or files a run would replace. A directory a run was
     * started in before (it has our lock file) but that holds no checkpoint may start again; any
     * other is the user's, and its files are not replaced.
     */
    private void requireNoOutput() {
        if (Files.exists(out.resolve(LAST)) || Files.exists(out.resolve(OLD))) {
            throw new IllegalArgumentException(
                    out
                            + " already holds a training run; continue it with --resume "
                            + out
                            + " or choose another --out");
        }
        for (String file : OUTPUT_FILES) {
            if (!lock.preexisting() && Files.exists(out.resolve(file))) {
                throw new IllegalArgumentException(
                        out
                                + " already holds "
                                + file
                                + "; training would replace it: choose another --out");
            }
        }
    }

    /**
     * The directory of a run to resume. A checkpoint interrupted between its two renames is moved
     * back into place, and what killed writes left behind is deleted.
     */
    static Checkpoints existing(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException(
                    "no training run to resume in " + out + " (directory not found)");
        }
        Checkpoints checkpoints = new Checkpoints(out, DirectoryLock.existing(out));
        try {
            checkpoints.recover();
        } catch (IOException | RuntimeException e) {
            checkpoints.abandon(e);
            throw e;
        }
        return checkpoints;
    }

    void saveBest(
            GptModel model,
            TokenizerFiles tokenizer,
            TrainingListener.Evaluation eval,
            TrainingOptions options)
            throws IOException {
        saveModel(out, model, tokenizer);
        JsonObject metrics = new JsonObject();
        metrics.addProperty("iter", eval.iter());
        metrics.addProperty("train_loss", eval.trainLoss());
        metrics.addProperty("val_loss", eval.valLoss());
        metrics.add("options", TrainerState.GSON.toJsonTree(options));
        AtomicFiles.writeString(out.resolve(METRICS), TrainerState.GSON.toJson(metrics) + "\n");
    }

    /** The model as the run writes it: a model directory, or a LoRA run's adapter. */
    private static void saveModel(Path dir, GptModel model, TokenizerFiles tokenizer)
            throws IOException {
        if (model.lora().isPresent()) {
            AdapterDirectory.save(dir, model);
        } else {
            ModelDirectory.save(dir, model, tokenizer, false);
        }
    }

    /** Writes the last state: the model, the optimizer's moments, then {@code state}. */
    void saveLast(
            GptModel model, TokenizerFiles tokenizer, AdamWOptimizer optimizer, TrainerState state)
            throws IOException {
        Path temp = out.resolve(TEMP);
        deleteTree(temp);
        saveModel(temp, model, tokenizer);
        if (model.lora().isPresent()) {
            // The shape the adapters train on (the base's, with this run's context and dropout).
            AtomicFiles.writeString(
                    temp.resolve(GptConfigJson.FILE_NAME), GptConfigJson.toJson(model.config()));
        }
        SafetensorsWriter.write(temp.resolve(OPTIMIZER), optimizer.state());
        AtomicFiles.writeString(temp.resolve(STATE), state.toJson());

        Path last = out.resolve(LAST);
        Path old = out.resolve(OLD);
        if (Files.exists(last)) {
            deleteTree(old);
            move(last, old);
        }
        // Without `last`, `old` may be the only complete checkpoint: it goes only once the new
        // one is in place.
        move(temp, last);
        deleteTree(old);
    }

    /**
     * Replaces the last checkpoint's state file, atomically: the run's options changed (a resume
     * with a new total) while its arrays did not.
     */
    void rewriteState(TrainerState state) throws IOException {
        AtomicFiles.writeString(lastDirectory().resolve(STATE), state.toJson());
    }

    /**
     * The last complete checkpoint ({@link #existing} has put it in place), of a run on {@code
     * corpus}. A LoRA run's tokenizer is its base model's.
     */
    Saved readLast(String corpus) throws IOException {
        Path dir = lastDirectory();
        TrainerState state = TrainerState.read(dir.resolve(STATE));
        if (!state.trainedOn(corpus)) {
            throw new IllegalArgumentException(
                    "the corpus differs from the one the run in " + out + " was trained on");
        }
        GptConfig config = ModelDirectory.readConfig(dir);
        LoraConfig lora =
                Files.exists(dir.resolve(LoraConfigJson.FILE_NAME))
                        ? AdapterDirectory.readConfig(dir)
                        : null;
        Path tokenizerDir = lora == null ? dir : Path.of(lora.baseModel());
        TokenizerFiles tokenizer =
                ModelDirectory.readTokenizerFiles(tokenizerDir)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                tokenizerDir + " has no tokenizer"));
        return new Saved(config, tokenizer, state, lora);
    }

    /**
     * Loads the last checkpoint's weights into {@code model} (a LoRA run's: its base model's, then
     * the adapter) and the moments of the parameters that train into the optimizer.
     */
    void loadLast(
            GptModel model,
            NDManager manager,
            AdamWOptimizer optimizer,
            List<NamedParameter> trainable,
            int steps)
            throws IOException {
        Path dir = lastDirectory();
        if (model.lora().isPresent()) {
            Path base = Path.of(model.lora().get().baseModel());
            ModelDirectory.loadWeights(model, base, manager, true);
            AdapterDirectory.loadWeights(model, dir, manager);
        } else {
            ModelDirectory.loadWeights(model, dir, manager);
        }
        Map<String, NDArray> state = new LinkedHashMap<>();
        Path file = dir.resolve(OPTIMIZER);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            requireMoments(reader, trainable);
            for (String name : reader.tensors().keySet()) {
                state.put(name, reader.readFloat32(name, manager));
            }
        } catch (IOException | RuntimeException e) {
            state.values().forEach(NDArray::close);
            throw e;
        }
        optimizer.restore(state, steps);
    }

    /**
     * The optimizer file must hold both moments of every parameter, in its shape, and nothing else:
     * a missing moment would silently restart from zero and the run would differ.
     */
    private static void requireMoments(SafetensorsReader reader, List<NamedParameter> trainable) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>(reader.tensors());
        for (NamedParameter p : trainable) {
            for (String moment : new String[] {"m.", "v."}) {
                TensorInfo info = tensors.remove(moment + p.name());
                if (info == null) {
                    throw new IllegalArgumentException(
                            reader.file()
                                    + ": missing the optimizer moment '"
                                    + moment
                                    + p.name()
                                    + "'");
                }
                if (!new Shape(info.shape()).equals(p.shape())) {
                    throw new IllegalArgumentException(
                            reader.file()
                                    + ": '"
                                    + info.name()
                                    + "' has shape "
                                    + new Shape(info.shape())
                                    + " but its parameter has "
                                    + p.shape());
                }
            }
        }
        if (!tensors.isEmpty()) {
            throw new IllegalArgumentException(
                    reader.file() + ": unexpected optimizer state " + tensors.keySet());
        }
    }

    private Path lastDirectory() {
        Path last = out.resolve(LAST);
        if (Files.isRegularFile(last.resolve(STATE))) {
            return last;
        }
        throw new IllegalArgumentException(
                "no training checkpoint in " + out + " (expected " + last + ")");
    }

    /** After a kill: the checkpoint back in place, and no temporary leftovers. */
    private void recover() throws IOException {
        Path last = out.resolve(LAST);
        Path old = out.resolve(OLD);
        if (!Files.isRegularFile(last.resolve(STATE)) && Files.isRegularFile(old.resolve(STATE))) {
            deleteTree(last); // never complete without its state file
            move(old, last);
        }
        deleteLeftovers();
    }

    private void deleteLeftovers() throws IOException {
        deleteTree(out.resolve(TEMP));
        Path last = out.resolve(LAST);
        if (Files.isRegularFile(last.resolve(STATE))) {
            deleteTree(out.resolve(OLD));
            AtomicFiles.deleteLeftovers(last, List.of(STATE)); // a killed rewriteState
        }
        AtomicFiles.deleteLeftovers(out, OUTPUT_FILES);
    }

    /**
     * Renames a checkpoint directory to a free name beside it: atomic on the local file systems of
     * Linux, macOS and Windows. Where a file system cannot rename atomically, a plain move, without
     * the guarantees in this class's comment; then the directory is synced where the platform can
     * ({@link AtomicFiles#syncDirectory}: not on Windows).
     */
    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
        AtomicFiles.syncDirectory(to.toAbsolutePath().getParent());
    }

    /** Deletes a checkpoint directory, its state file first: a half-deleted one is never taken. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.deleteIfExists(dir.resolve(STATE));
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Releases the directory's lock. Closing twice is harmless. */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    /**
     * Releases the lock of a run that never started, deleting what the lock created; a failure to
     * do so is added to {@code cause}, the reason the run did not start.
     */
    void abandon(Exception cause) {
        try {
            lock.abandon();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
