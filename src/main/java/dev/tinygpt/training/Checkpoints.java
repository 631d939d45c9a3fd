package dev.tinygpt.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.io.AtomicFiles;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.io.SafetensorsWriter;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training run's output directory. Its top level is the best model so far (by validation loss), a
 * model directory like any other plus {@code training.json}; {@code checkpoint/} is the last state:
 * the model, the optimizer's moments ({@code optimizer.safetensors}) and {@code
 * trainer-state.json}. Model files are replaced atomically one by one; the checkpoint is written
 * whole into a temporary directory and renamed into place, so a crash leaves the previous one.
 */
final class Checkpoints {
    static final String LAST = "checkpoint";
    static final String STATE = "trainer-state.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String METRICS = "training.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** What a checkpoint holds besides the arrays. */
    record Saved(
            GptConfig config,
            Tokenizer tokenizer,
            TrainingOptions options,
            int iter,
            double bestValidationLoss,
            String corpusSha256) {}

    private final Path out;
    private String corpusSha256 = "";

    private Checkpoints(Path out) {
        this.out = out;
    }

    /** A new run's directory: created if needed, refused if it already holds a run. */
    static Checkpoints create(Path out) {
        if (Files.exists(out.resolve(LAST)) || Files.exists(out.resolve("." + LAST + ".old"))) {
            throw new IllegalArgumentException(
                    out
                            + " already holds a training run; continue it with --resume "
                            + out
                            + " or choose another --out");
        }
        AtomicFiles.createWritableDirectory(out, "output directory");
        return new Checkpoints(out);
    }

    /** The directory of a run to resume. */
    static Checkpoints existing(Path out) {
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException(
                    "no training run to resume in " + out + " (directory not found)");
        }
        return new Checkpoints(out);
    }

    void corpus(String sha256) {
        this.corpusSha256 = sha256;
    }

    void saveBest(
            GptModel model,
            Tokenizer tokenizer,
            TrainingRun.Evaluation eval,
            TrainingOptions options)
            throws IOException {
        ModelDirectory.save(out, model, tokenizer);
        JsonObject metrics = new JsonObject();
        metrics.addProperty("iter", eval.iter());
        metrics.addProperty("train_loss", eval.trainLoss());
        metrics.addProperty("val_loss", eval.valLoss());
        metrics.add("options", GSON.toJsonTree(options));
        AtomicFiles.writeString(out.resolve(METRICS), GSON.toJson(metrics) + "\n");
    }

    void saveLast(
            GptModel model,
            Tokenizer tokenizer,
            AdamWOptimizer optimizer,
            TrainingOptions options,
            int iter,
            double bestValidation)
            throws IOException {
        Path temp = out.resolve("." + LAST + ".tmp");
        deleteTree(temp);
        ModelDirectory.save(temp, model, tokenizer);
        SafetensorsWriter.write(temp.resolve(OPTIMIZER), optimizer.state());
        JsonObject state = new JsonObject();
        state.addProperty("iter", iter);
        state.addProperty("best_val_loss", bestValidation);
        state.addProperty("corpus_sha256", corpusSha256);
        state.add("options", GSON.toJsonTree(options));
        AtomicFiles.writeString(temp.resolve(STATE), GSON.toJson(state) + "\n");

        Path last = out.resolve(LAST);
        Path old = out.resolve("." + LAST + ".old");
        deleteTree(old);
        if (Files.exists(last)) {
            move(last, old);
        }
        move(temp, last);
        deleteTree(old);
    }

    /** The last checkpoint (or, after a crash between the two renames, the one before it). */
    Saved readLast() throws IOException {
        Path dir = lastDirectory();
        JsonObject state;
        try {
            state =
                    JsonParser.parseString(
                                    Files.readString(dir.resolve(STATE), StandardCharsets.UTF_8))
                            .getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    dir.resolve(STATE) + ": malformed: " + e.getMessage(), e);
        }
        GptConfig config = ModelDirectory.readConfig(dir);
        Tokenizer tokenizer =
                ModelDirectory.readTokenizer(dir)
                        .orElseThrow(() -> new IllegalArgumentException(dir + " has no tokenizer"));
        TrainingOptions options = GSON.fromJson(state.get("options"), TrainingOptions.class);
        corpusSha256 = state.get("corpus_sha256").getAsString();
        return new Saved(
                config,
                tokenizer,
                options,
                state.get("iter").getAsInt(),
                state.get("best_val_loss").getAsDouble(),
                corpusSha256);
    }

    /**
     * Loads the last checkpoint's weights into {@code model} and its moments into the optimizer.
     */
    void loadLast(GptModel model, NDManager manager, AdamWOptimizer optimizer, int steps)
            throws IOException {
        Path dir = lastDirectory();
        ModelDirectory.loadWeights(model, dir, manager);
        Map<String, NDArray> state = new LinkedHashMap<>();
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve(OPTIMIZER))) {
            for (String name : reader.tensors().keySet()) {
                state.put(name, reader.readFloat32(name, manager));
            }
        }
        optimizer.restore(state, steps);
    }

    private Path lastDirectory() {
        Path last = out.resolve(LAST);
        if (Files.isRegularFile(last.resolve(STATE))) {
            return last;
        }
        Path old = out.resolve("." + LAST + ".old");
        if (Files.isRegularFile(old.resolve(STATE))) {
            return old;
        }
        throw new IllegalArgumentException(
                "no training checkpoint in " + out + " (expected " + last + ")");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
