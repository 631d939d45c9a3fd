package dev.tinygpt.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.LoraConfigJson;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A LoRA adapter directory in PEFT's format, which {@code PeftModel.from_pretrained} loads and
 * {@code save_pretrained} writes: {@code adapter_config.json} ({@link LoraConfigJson}) and {@code
 * adapter_model.safetensors} with PEFT's tensor names, {@code
 * base_model.model.transformer.h.0.attn.c_attn.lora_A.weight} {@code [r, in]} and {@code
 * ….lora_B.weight} {@code [out, r]}. Loading checks every tensor against the adapters the config
 * gives the base model, by name and shape, so an adapter made for another base is refused naming
 * the tensor that does not fit.
 */
public final class AdapterDirectory {
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    /** PEFT's path to a module: PeftModel.base_model (LoraModel).model (GPT2LMHeadModel). */
    static final String PREFIX = "base_model.model." + GptModel.MODULE_PREFIX;

    private AdapterDirectory() {}

    /** Reads and validates the directory's {@code adapter_config.json}. */
    public static LoraConfig readConfig(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    Files.exists(dir)
                            ? "not an adapter directory (it is a file): " + dir
                            : "adapter directory not found: " + dir);
        }
        Path file = dir.resolve(LoraConfigJson.FILE_NAME);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(
                    "missing " + LoraConfigJson.FILE_NAME + ": " + file + " (not a LoRA adapter)");
        }
        return TextFiles.readJson(file, TextFiles.MAX_CONFIG_BYTES, LoraConfigJson::parse);
    }

    /**
     * Reads {@code adapter_model.safetensors} into the adapters of {@code model}, creating the
     * arrays in {@code manager}; all or nothing, as {@link ModelDirectory#loadWeights}.
     */
    public static void loadWeights(GptModel model, Path dir, NDManager manager) throws IOException {
        List<NamedParameter> expected = model.adapterParameters();
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve(WEIGHTS_FILE))) {
            requireTensors(reader, expected);
            List<NDArray> arrays = new ArrayList<>(expected.size());
            try {
                for (NamedParameter p : expected) {
                    arrays.add(reader.readFloat32(PREFIX + p.name(), manager));
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

    private static void requireTensors(SafetensorsReader reader, List<NamedParameter> expected) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>(reader.tensors());
        for (NamedParameter p : expected) {
            TensorInfo info = tensors.remove(PREFIX + p.name());
            if (info == null) {
                throw SafetensorsReader.bad(
                        reader.file(),
                        "missing tensor '"
                                + PREFIX
                                + p.name()
                                + "' of shape "
                                + p.shape()
                                + " (adapter_config.json's r and target_modules imply it)");
            }
            Shape found = new Shape(info.shape());
            if (!found.equals(p.shape())) {
                throw SafetensorsReader.bad(
                        reader.file(),
                        "tensor '"
                                + info.name()
                                + "' has shape "
                                + found
                                + " but the base model implies "
                                + p.shape()
                                + " (an adapter for another base model?)");
            }
        }
        if (!tensors.isEmpty()) {
            List<String> extra = new ArrayList<>(new TreeSet<>(tensors.keySet()));
            throw SafetensorsReader.bad(
                    reader.file(),
                    "unexpected tensors "
                            + extra.subList(0, Math.min(5, extra.size()))
                            + " (an adapter for another base model, or other target_modules?)");
        }
    }

    /**
     * Saves the adapters of {@code model} as a PEFT adapter directory: the weights, then {@code
     * adapter_config.json} last (its presence marks a complete adapter), each file atomically.
     */
    public static void save(Path dir, GptModel model) throws IOException {
        LoraConfig config =
                model.lora()
                        .orElseThrow(() -> new IllegalStateException("the model has no adapters"));
        AtomicFiles.createWritableDirectory(dir, "adapter directory");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (NamedParameter p : model.adapterParameters()) {
            tensors.put(PREFIX + p.name(), p.parameter().getArray());
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors);
        AtomicFiles.writeString(
                dir.resolve(LoraConfigJson.FILE_NAME), LoraConfigJson.toJson(config));
    }
}
