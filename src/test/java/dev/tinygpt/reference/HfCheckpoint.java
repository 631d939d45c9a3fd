package dev.tinygpt.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.io.HalfFloat;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a GPT-2 checkpoint directory the way Hugging Face transformers does, for tests: an HF
 * {@code config.json}, tensors named {@code transformer.*} with the old {@code attn.bias} and
 * {@code attn.masked_bias} buffers, in F32, F16 or BF16, in one file or sharded with an index. The
 * weights are random at unit scale (so a wrong bias, scale or mask cannot hide) and are returned as
 * the exact float values the file holds, for the reference.
 */
public final class HfCheckpoint {
    public enum Dtype {
        F32,
        F16,
        BF16
    }

    private HfCheckpoint() {}

    /** Writes the directory and returns the weights (as stored) by GPT-2 name. */
    public static Map<String, float[]> write(
            Path dir, GptConfig config, Dtype dtype, int shards, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson(config), StandardCharsets.UTF_8);
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (NamedParameter p : new GptModel(config).namedParameters()) {
            float[] values = new float[Math.toIntExact(p.size())];
            boolean gain =
                    p.name().endsWith("ln_1.weight")
                            || p.name().endsWith("ln_2.weight")
                            || p.name().equals("ln_f.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = stored(dtype, (float) ((gain ? 1 : 0) + 0.5 * random.nextGaussian()));
            }
            weights.put(p.name(), values);
            tensors.put("transformer." + p.name(), new Tensor(dtype, p.shape().getShape(), values));
            if (p.name().endsWith("attn.c_attn.weight")) {
                String block = p.name().substring(0, p.name().length() - "c_attn.weight".length());
                int n = config.contextLength();
                float[] tril = new float[n * n];
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c <= r; c++) {
                        tril[r * n + c] = 1;
                    }
                }
                tensors.put(
                        "transformer." + block + "bias",
                        new Tensor(Dtype.F32, new long[] {1, 1, n, n}, tril));
                tensors.put(
                        "transformer." + block + "masked_bias",
                        new Tensor(Dtype.F32, new long[0], new float[] {-1e4f}));
            }
        }
        if (shards <= 1) {
            writeSafetensors(dir.resolve("model.safetensors"), tensors);
            return weights;
        }
        List<String> names = List.copyOf(tensors.keySet());
        JsonObject weightMap = new JsonObject();
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, Tensor> part = new LinkedHashMap<>();
            for (int i = s; i < names.size(); i += shards) {
                part.put(names.get(i), tensors.get(names.get(i)));
                weightMap.addProperty(names.get(i), file);
            }
            writeSafetensors(dir.resolve(file), part);
        }
        JsonObject index = new JsonObject();
        index.add("metadata", new JsonObject());
        index.add("weight_map", weightMap);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        return weights;
    }

    /**
     * HF's GPT-2 config keys; {@code n_inner} null and no {@code tie_word_embeddings}, as gpt2's.
     */
    static String configJson(GptConfig c) {
        return String.format(
                java.util.Locale.ROOT,
                """
                {"activation_function": "%s", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
                 "bos_token_id": %d, "embd_pdrop": 0.1, "eos_token_id": %d, "initializer_range": 0.02,
                 "layer_norm_epsilon": %s, "model_type": "gpt2", "n_ctx": %d, "n_embd": %d,
                 "n_head": %d, "n_inner": %s, "n_layer": %d, "n_positions": %d, "resid_pdrop": 0.1,
                 "scale_attn_weights": %s, "summary_type": "cls_index", "torch_dtype": "float32",
                 "transformers_version": "4.44.0", "use_cache": true, "vocab_size": %d}
                """,
                c.activation().gpt2Name(),
                c.bosTokenId(),
                c.eosTokenId(),
                c.layerNormEpsilon(),
                c.contextLength(),
                c.dModel(),
                c.heads(),
                c.mlpHidden() == 4 * c.dModel() ? "null" : String.valueOf(c.mlpHidden()),
                c.layers(),
                c.contextLength(),
                c.scaleAttnWeights(),
                c.vocabSize());
    }

    record Tensor(Dtype dtype, long[] shape, float[] values) {}

    static void writeSafetensors(Path file, Map<String, Tensor> tensors) throws IOException {
        JsonObject header = new JsonObject();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            byte[] bytes = encode(t);
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(data.size());
            offsets.add(data.size() + bytes.length);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            data.write(bytes);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.write(json);
        data.writeTo(out);
        Files.write(file, out.toByteArray());
    }

    private static byte[] encode(Tensor t) {
        int width = t.dtype() == Dtype.F32 ? 4 : 2;
        ByteBuffer b =
                ByteBuffer.allocate(t.values().length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.values()) {
            switch (t.dtype()) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(HalfFloat.fromFloat(v));
                case BF16 -> b.putShort((short) (Float.floatToIntBits(v) >>> 16));
            }
        }
        return b.array();
    }

    /** The value a float becomes when stored in {@code dtype} (round to nearest even). */
    static float stored(Dtype dtype, float v) {
        return switch (dtype) {
            case F32 -> v;
            case F16 -> HalfFloat.toFloat(HalfFloat.fromFloat(v));
            case BF16 -> {
                int bits = Float.floatToIntBits(v);
                int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
                yield Float.intBitsToFloat(rounded);
            }
        };
    }
}
