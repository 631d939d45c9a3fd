package dev.tinygpt.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.GptConfigJson;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one model format: a directory in Hugging Face's GPT-2 layout, {@code config.json} + {@code
 * model.safetensors} with GPT-2 tensor names (Conv1D {@code [in, out]} weights, {@code lm_head}
 * only when untied), plus the tokenizer's files.
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
        return GptConfigJson.read(dir);
    }

    /** The directory's tokenizer, or empty when it has none. */
    public static Optional<Tokenizer> readTokenizer(Path dir) throws IOException {
        requireDirectory(dir);
        return TokenizerFiles.load(dir);
    }

    /**
     * Reads {@code model.safetensors} into the (not yet initialised) parameters of {@code model},
     * creating the arrays in {@code manager}. All or nothing: on any error no parameter is set.
     */
    public static void loadWeights(GptModel model, Path dir, NDManager manager) throws IOException {
        requireDirectory(dir);
        Path file = dir.resolve(WEIGHTS_FILE);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            Map<String, TensorInfo> byName = canonicalNames(reader, model.config(), file);
            List<NamedParameter> expected = model.namedParameters();
            List<String> extra = new ArrayList<>(byName.keySet());
            expected.forEach(p -> extra.remove(p.name()));
            if (!extra.isEmpty()) {
                extra.sort(null);
                throw SafetensorsReader.bad(
                        file,
                        "unexpected tensors "
                                + extra.subList(0, Math.min(5, extra.size()))
                                + " (does config.json match the checkpoint?)");
            }
            for (NamedParameter p : expected) {
                TensorInfo info = byName.get(p.name());
                if (info == null) {
                    throw SafetensorsReader.bad(
                            file, "missing tensor '" + p.name() + "' of shape " + p.shape());
                }
                if (!new Shape(info.shape()).equals(p.shape())) {
                    throw SafetensorsReader.bad(
                            file,
                            "tensor '"
                                    + info.name()
                                    + "' has shape "
                                    + new Shape(info.shape())
                                    + " but config.json implies "
                                    + p.shape());
                }
            }
            List<NDArray> arrays = new ArrayList<>(expected.size());
            try {
                for (NamedParameter p : expected) {
                    arrays.add(reader.readFloat32(byName.get(p.name()).name(), manager));
                }
            } catch (IOException | RuntimeException e) {
                arrays.forEach(NDArray::close);
                throw e;
            }
            for (int i = 0; i < arrays.size(); i++) {
                expected.get(i).parameter().setArray(arrays.get(i));
            }
        }
    }

    /**
     * Saves a model directory: {@code config.json}, {@code model.safetensors} and, when given, the
     * tokenizer. Each file is written atomically.
     */
    public static void save(Path dir, GptModel model, Tokenizer tokenizer) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot create model directory " + dir + ": " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " is not writable");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (NamedParameter p : model.namedParameters()) {
            NDArray array = p.parameter().getArray();
            if (array == null) {
                throw new IllegalStateException("parameter " + p.name() + " has no value to save");
            }
            tensors.put(p.name(), array);
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors);
        AtomicFiles.writeString(
                dir.resolve(GptConfigJson.FILE_NAME), GptConfigJson.toJson(model.config()));
        if (tokenizer != null) {
            AtomicFiles.writeString(
                    dir.resolve(TokenizerFiles.FILE_NAME), TokenizerFiles.toJson(tokenizer));
        }
    }

    /** Maps each tensor to its GPT-2 name without prefix, dropping the buffers we ignore. */
    private static Map<String, TensorInfo> canonicalNames(
            SafetensorsReader reader, GptConfig config, Path file) {
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo info : reader.tensors().values()) {
            String name =
                    info.name().startsWith(PREFIX)
                            ? info.name().substring(PREFIX.length())
                            : info.name();
            boolean ignored =
                    name.endsWith(".attn.bias")
                            || name.endsWith(".attn.masked_bias")
                            || (config.tiedHead() && name.equals("lm_head.weight"));
            if (ignored) {
                continue;
            }
            if (byName.put(name, info) != null) {
                throw SafetensorsReader.bad(
                        file, "tensor '" + name + "' appears both with and without 'transformer.'");
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
