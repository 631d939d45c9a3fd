package dev.tinygpt.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The weight files of a model directory: one {@code model.safetensors}, or the sharded form, an
 * index {@code model.safetensors.index.json} ({@code {"weight_map": {tensor: shard file}}}) and its
 * shards. Every tensor is found through {@link #tensors()}; closing closes every shard.
 */
final class CheckpointFiles implements AutoCloseable {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    /** A tensor and the file it is in. */
    record Source(SafetensorsReader reader, TensorInfo info) {}

    private final Map<String, SafetensorsReader> readers = new LinkedHashMap<>();
    private final Map<String, Source> tensors = new LinkedHashMap<>();

    private CheckpointFiles() {}

    static CheckpointFiles open(Path dir) throws IOException {
        CheckpointFiles files = new CheckpointFiles();
        try {
            if (Files.exists(dir.resolve(SINGLE)) || !Files.exists(dir.resolve(INDEX))) {
                files.add(dir.resolve(SINGLE));
            } else {
                files.addSharded(dir, dir.resolve(INDEX));
            }
            return files;
        } catch (IOException | RuntimeException e) {
            files.close();
            throw e;
        }
    }

    /** Every tensor of the checkpoint by its name in the files. */
    Map<String, Source> tensors() {
        return tensors;
    }

    /** The file(s) the weights come from, for messages. */
    String describe() {
        return readers.size() == 1
                ? readers.values().iterator().next().file().toString()
                : readers.size() + " shards of " + INDEX;
    }

    private void add(Path file) throws IOException {
        SafetensorsReader reader = SafetensorsReader.open(file);
        readers.put(file.getFileName().toString(), reader);
        for (TensorInfo info : reader.tensors().values()) {
            putTensor(info.name(), new Source(reader, info), file);
        }
    }

    private void addSharded(Path dir, Path index) throws IOException {
        Map<String, String> weightMap = readIndex(index);
        for (String shard : new LinkedHashSet<>(weightMap.values())) {
            Path file;
            try {
                file = dir.resolve(shard).normalize();
            } catch (InvalidPathException e) {
                throw SafetensorsReader.bad(index, "shard '" + shard + "' is not a file name");
            }
            if (!dir.normalize().equals(file.getParent())) {
                throw SafetensorsReader.bad(
                        index, "shard '" + shard + "' is outside the model directory");
            }
            SafetensorsReader reader = SafetensorsReader.open(file);
            readers.put(shard, reader);
        }
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            SafetensorsReader reader = readers.get(e.getValue());
            TensorInfo info = reader.tensors().get(e.getKey());
            if (info == null) {
                throw SafetensorsReader.bad(
                        index,
                        "lists tensor '"
                                + e.getKey()
                                + "' in "
                                + e.getValue()
                                + ", which does not hold it");
            }
            putTensor(e.getKey(), new Source(reader, info), index);
        }
    }

    private void putTensor(String name, Source source, Path file) {
        if (tensors.put(name, source) != null) {
            throw SafetensorsReader.bad(file, "tensor '" + name + "' appears twice");
        }
    }

    private static Map<String, String> readIndex(Path index) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        JsonElement root = TextFiles.readJson(index, TextFiles.MAX_CONFIG_BYTES);
        JsonElement weightMap =
                root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw SafetensorsReader.bad(index, "has no \"weight_map\" object");
        }
        for (Map.Entry<String, JsonElement> e : ((JsonObject) weightMap).entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw SafetensorsReader.bad(
                        index, "weight_map entry '" + e.getKey() + "' is not a file name");
            }
            map.put(e.getKey(), e.getValue().getAsString());
        }
        if (map.isEmpty()) {
            throw SafetensorsReader.bad(index, "weight_map is empty");
        }
        return map;
    }

    @Override
    public void close() throws IOException {
        for (SafetensorsReader reader : readers.values()) {
            reader.close();
        }
    }
}
