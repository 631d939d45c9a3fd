package dev.tinygpt.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.GptConfigJson;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one model format: a directory in Hugging Face's GPT-2 layout, {@code config.json} + {@code
 * model.safetensors} (or {@code model.safetensors.index.json} and its shards) with GPT-2 tensor
 * names (Conv1D {@code [in, out]} weights, {@code lm_head} only when untied), plus the tokenizer's
 * files.
 *
 * <p>Loading accepts names with or without the {@code transformer.} prefix and ignores the {@code
 * attn.bias}/{@code attn.masked_bias} buffers of old checkpoints and a redundant {@code
 * lm_head.weight} of a tied model. Every tensor is checked against the shape the config implies
 * before any is set.
 */
public final class ModelDirectory {
    public static final String WEIGHTS_FILE = "model.safetensors";
    private static final String PREFIX = "transformer.";

    private ModelDirectory() {}

    /** Reads and validates the directory's {@code config.json}. */
    public static GptConfig readConfig(Path dir) throws IOException {
        requireDirectory(dir);
        Path file = dir.resolve(GptConfigJson.FILE_NAME);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("missing " + GptConfigJson.FILE_NAME + ": " + file);
        }
        return TextFiles.readJson(file, TextFiles.MAX_CONFIG_BYTES, GptConfigJson::parse);
    }

    /** The directory's tokenizer, or empty when it has none. */
    public static Optional<Tokenizer> readTokenizer(Path dir) throws IOException {
        requireDirectory(dir);
        return TokenizerFiles.load(dir);
    }

    /** The directory's tokenizer with its files, or empty when it has none. */
    public static Optional<TokenizerFiles> readTokenizerFiles(Path dir) throws IOException {
        requireDirectory(dir);
        return TokenizerFiles.read(dir);
    }

    /**
     * Reads the weights ({@code model.safetensors}, or the shards a {@code
     * model.safetensors.index.json} lists) into the not yet initialised base parameters of {@code
     * model} (its LoRA adapters, if any, are not in a model directory), creating the arrays in
     * {@code manager}. All or nothing: on any error no parameter is set and every array read so far
     * is closed.
     */
    public static void loadWeights(GptModel model, Path dir, NDManager manager) throws IOException {
        loadWeights(model, dir, manager, false);
    }

    /**
     * {@link #loadWeights(GptModel, Path, NDManager)}; with {@code cropPositions}, a position table
     * longer than the model's context keeps its first rows (nanoGPT's {@code crop_block_size}: a
     * model fine-tuned on a shorter context).
     */
    public static void loadWeights(
            GptModel model, Path dir, NDManager manager, boolean cropPositions) throws IOException {
        requireDirectory(dir);
        try (CheckpointFiles files = CheckpointFiles.open(dir)) {
            Map<String, CheckpointFiles.Source> byName = canonicalNames(files, model.config());
            List<NamedParameter> expected = model.baseParameters();
            requireTensors(files, byName, expected, cropPositions);
            List<NDArray> arrays = new ArrayList<>(expected.size());
            try {
                for (NamedParameter p : expected) {
                    CheckpointFiles.Source source = byName.get(p.name());
                    NDArray array = source.reader().readFloat32(source.info().name(), manager);
                    arrays.add(cropped(array, p.shape()));
                }
            } catch (IOException | RuntimeException e) {
                arrays.forEach(NDArray::close);
                throw e;
            }
            for (int i = 0; i < arrays.size(); i++) {
                expected.get(i).set(arrays.get(i));
            }
        }
    }

    /**
     * Every expected tensor is there in its shape (a longer {@code wpe} when cropping), no other.
     */
    private static void requireTensors(
            CheckpointFiles files,
            Map<String, CheckpointFiles.Source> byName,
            List<NamedParameter> expected,
            boolean cropPositions) {
        List<String> extra = new ArrayList<>(byName.keySet());
        expected.forEach(p -> extra.remove(p.name()));
        if (!extra.isEmpty()) {
            extra.sort(null);
            throw new IllegalArgumentException(
                    files.describe()
                            + ": unexpected tensors "
                            + extra.subList(0, Math.min(5, extra.size()))
                            + " (does config.json match the checkpoint?)");
        }
        for (NamedParameter p : expected) {
            CheckpointFiles.Source source = byName.get(p.name());
            if (source == null) {
                throw new IllegalArgumentException(
                        files.describe()
                                + ": missing tensor '"
                                + p.name()
                                + "' of shape "
                                + p.shape());
            }
            Shape found = new Shape(source.info().shape());
            boolean longerPositions =
                    cropPositions
                            && p.name().equals("wpe.weight")
                            && found.get(0) >= p.shape().get(0)
                            && found.get(1) == p.shape().get(1);
            if (!found.equals(p.shape()) && !longerPositions) {
                throw SafetensorsReader.bad(
                        source.reader().file(),
                        "tensor '"
                                + source.info().name()
                                + "' has shape "
                                + found
                                + " but config.json implies "
                                + p.shape());
            }
        }
    }

    /** The array, or its first rows when the model wants fewer (a cropped position table). */
    private static NDArray cropped(NDArray array, Shape wanted) {
        if (array.getShape().equals(wanted)) {
            return array;
        }
        NDArray rows = array.get(new NDIndex("0:{}", wanted.get(0))).duplicate();
        array.close();
        return rows;
    }

    /**
     * Saves a model directory: {@code model.safetensors}, the tokenizer's files when given, and
     * {@code config.json} last. Each file is written atomically, so a directory with a {@code
     * config.json} holds the weights and tokenizer it describes even if the writer was killed
     * midway. A model with LoRA adapters is saved with them merged into its weights.
     */
    public static void save(Path dir, GptModel model, Tokenizer tokenizer) throws IOException {
        save(dir, model, tokenizer == null ? null : TokenizerFiles.of(tokenizer), false);
    }

    /**
     * {@link #save(Path, GptModel, Tokenizer)} with a tokenizer's files as they are, and the
     * weights stored as F16 when {@code half}.
     */
    public static void save(Path dir, GptModel model, TokenizerFiles tokenizer, boolean half)
            throws IOException {
        for (NamedParameter p : model.namedParameters()) {
            if (!p.parameter().isInitialized()) {
                throw new IllegalStateException("parameter " + p.name() + " has no value to save");
            }
        }
        AtomicFiles.createWritableDirectory(dir, "model directory");
        NDManager owner = model.baseParameters().get(0).parameter().getArray().getManager();
        try (NDManager merged = owner.newSubManager()) {
            Map<String, NDArray> tensors = model.plainWeights(merged);
            SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, half);
        }
        if (tokenizer != null) {
            tokenizer.writeInto(dir);
        }
        AtomicFiles.writeString(
                dir.resolve(GptConfigJson.FILE_NAME), GptConfigJson.toJson(model.config()));
    }

    /** Maps each tensor to its GPT-2 name without prefix, dropping the buffers we ignore. */
    private static Map<String, CheckpointFiles.Source> canonicalNames(
            CheckpointFiles files, GptConfig config) {
        Map<String, CheckpointFiles.Source> byName = new HashMap<>();
        for (Map.Entry<String, CheckpointFiles.Source> e : files.tensors().entrySet()) {
            String name =
                    e.getKey().startsWith(PREFIX)
                            ? e.getKey().substring(PREFIX.length())
                            : e.getKey();
            boolean ignored =
                    name.endsWith(".attn.bias")
                            || name.endsWith(".attn.masked_bias")
                            || (config.tiedHead() && name.equals("lm_head.weight"));
            if (ignored) {
                continue;
            }
            if (byName.put(name, e.getValue()) != null) {
                throw new IllegalArgumentException(
                        files.describe()
                                + ": tensor '"
                                + name
                                + "' appears both with and without 'transformer.'");
            }
        }
        return byName;
    }

    private static void requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    Files.exists(dir)
                            ? "not a model directory (it is a file): " + dir
                            : "model directory not found: " + dir);
        }
    }
}
