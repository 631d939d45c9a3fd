package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.TokenizerFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
    @TempDir Path dir;

    @Test
    void savedDirectoryHasTheGpt2Layout() throws Exception {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            lm.save(dir);
        }
        assertTrue(Files.isRegularFile(dir.resolve("config.json")));
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertEquals(
                    "[64, 192]",
                    java.util.Arrays.toString(r.tensors().get("h.0.attn.c_attn.weight").shape()));
            assertTrue(r.tensors().containsKey("lm_head.weight"), "untied head is saved");
        }
    }

    @Test
    void loadsHuggingFaceNamingPrefixAndIgnoredBuffers() throws Exception {
        // A tied GPT-2-shaped checkpoint as transformers writes it: "transformer." prefix,
        // attn.bias / attn.masked_bias buffers and a redundant lm_head.weight.
        GptConfig config = TestModels.small(2, 8, Activation.GELU_NEW, true);
        float[] reference;
        Path source = dir.resolve("ours");
        try (LanguageModel lm = LanguageModel.create(config, 4, null);
                InferenceSession s = lm.newSession()) {
            reference = s.prefill(new int[] {1, 2, 3});
            lm.save(source);
        }
        Path hf = dir.resolve("hf");
        Files.createDirectories(hf);
        Files.copy(source.resolve("config.json"), hf.resolve("config.json"));
        try (SafetensorsReader r = SafetensorsReader.open(source.resolve("model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : r.tensors().keySet()) {
                tensors.put("transformer." + name, r.readFloat32(name, m));
            }
            tensors.put(
                    "transformer.h.0.attn.bias",
                    m.ones(new ai.djl.ndarray.types.Shape(1, 1, 8, 8)));
            tensors.put("transformer.h.0.attn.masked_bias", m.create(new float[] {-1e4f}));
            tensors.put("lm_head.weight", tensors.get("transformer.wte.weight"));
            SafetensorsWriter.write(hf.resolve("model.safetensors"), tensors);
        }
        try (LanguageModel lm = LanguageModel.load(hf);
                InferenceSession s = lm.newSession()) {
            assertArrayEquals(reference, s.prefill(new int[] {1, 2, 3}), 0f);
        }
    }

    @Test
    void missingDirectoryConfigAndWeightsAreNamed() throws Exception {
        assertProblem(dir.resolve("nope"), "model directory not found: " + dir.resolve("nope"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertProblem(empty, "missing config.json");
        Files.writeString(
                empty.resolve("config.json"),
                dev.tinygpt.config.GptConfigJson.toJson(GptConfig.exercise()));
        assertProblem(empty, empty.resolve("model.safetensors") + ": missing weights file");
    }

    @Test
    void missingAndMisShapedTensorsAreNamed() throws Exception {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            lm.save(dir);
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (String name : r.tensors().keySet()) {
                tensors.put(name, r.readFloat32(name, m));
            }
            Map<String, NDArray> missing = new LinkedHashMap<>(tensors);
            missing.remove("h.1.mlp.c_fc.bias");
            SafetensorsWriter.write(dir.resolve("model.safetensors"), missing);
            assertProblem(dir, "missing tensor 'h.1.mlp.c_fc.bias' of shape (128)");

            Map<String, NDArray> misShaped = new LinkedHashMap<>(tensors);
            misShaped.put(
                    "h.0.attn.c_proj.weight", m.zeros(new ai.djl.ndarray.types.Shape(64, 32)));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), misShaped);
            assertProblem(
                    dir,
                    "tensor 'h.0.attn.c_proj.weight' has shape (64, 32) but config.json implies (64, 64)");

            Map<String, NDArray> extra = new LinkedHashMap<>(tensors);
            extra.put("h.3.ln_1.weight", m.zeros(new ai.djl.ndarray.types.Shape(64)));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), extra);
            assertProblem(dir, "unexpected tensors [h.3.ln_1.weight]");
        }
        // Truncated: cut the data section short.
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of());
        byte[] bytes;
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            lm.save(dir);
        }
        bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(
                dir.resolve("model.safetensors"),
                java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertProblem(dir, "truncated file?");
    }

    @Test
    void failedLoadLeavesNoArraysBehind() throws Exception {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            lm.save(dir);
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(
                dir.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 4));
        int before = TestModels.liveArrays();
        assertThrows(IllegalArgumentException.class, () -> LanguageModel.load(dir));
        assertEquals(before, TestModels.liveArrays());
    }

    @Test
    void tokenizerFilesAreKeptAsReadAndEachIsWithinItsLimit() throws Exception {
        Path from = Files.createDirectory(dir.resolve("from"));
        Path json = TokenizerFixtures.writeTokenizerJson(from.resolve("tokenizer.json"));
        byte[] bytes = Files.readAllBytes(json);
        byte[] withBom = new byte[bytes.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(bytes, 0, withBom, 3, bytes.length);
        Files.write(json, withBom);
        TokenizerFiles files = ModelDirectory.readTokenizerFiles(from).orElseThrow();
        assertArrayEquals(
                TokenizerFixtures.bpe().encode("hello world"),
                files.tokenizer().encode("hello world"));
        Path to = Files.createDirectory(dir.resolve("to"));
        files.writeInto(to);
        assertArrayEquals(withBom, Files.readAllBytes(to.resolve("tokenizer.json")));

        // A vocab.json the tokenizer.json shadows is still copied, so it is held to its limit.
        try (var big =
                Files.newByteChannel(
                        from.resolve("vocab.json"),
                        java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE)) {
            big.position(TextFiles.MAX_VOCABULARY_BYTES)
                    .write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ModelDirectory.readTokenizerFiles(from));
        assertTrue(e.getMessage().contains("vocab.json: larger than"), e.getMessage());
    }

    private static void assertProblem(Path modelDir, String problem) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> LanguageModel.load(modelDir).close());
        assertTrue(e.getMessage().contains(problem), () -> "message was: " + e.getMessage());
    }
}
