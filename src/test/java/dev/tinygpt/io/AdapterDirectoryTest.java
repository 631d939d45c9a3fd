package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.TestAdapters;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.generation.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter directory is PEFT's: its config's keys and values, its tensors' names and shapes; an
 * adapter for another base model, or with settings tinygpt does not compute, is refused naming what
 * does not fit.
 */
class AdapterDirectoryTest {
    private static final LoraConfig LORA =
            new LoraConfig(4, 16f, 0.05f, List.of("c_attn", "mlp.c_proj"), "/models/base");

    @TempDir static Path dir;
    private static Path base;
    private static Path adapter;

    @BeforeAll
    static void make() throws Exception {
        base = dir.resolve("base");
        try (LanguageModel lm =
                LanguageModel.create(TestModels.small(2, 8, Activation.GELU_NEW, true), 1, null)) {
            lm.save(base);
        }
        adapter = TestAdapters.write(base, LORA, 3, true, dir.resolve("adapter"));
    }

    @Test
    void theAdapterHasPeftsConfigAndTensorNames() throws Exception {
        JsonObject config =
                JsonParser.parseString(Files.readString(adapter.resolve("adapter_config.json")))
                        .getAsJsonObject();
        assertEquals("LORA", config.get("peft_type").getAsString());
        assertEquals("CAUSAL_LM", config.get("task_type").getAsString());
        assertEquals("/models/base", config.get("base_model_name_or_path").getAsString());
        assertEquals(4, config.get("r").getAsInt());
        assertEquals(16, config.get("lora_alpha").getAsDouble());
        assertEquals(0.05, config.get("lora_dropout").getAsDouble(), 1e-7);
        assertEquals("[\"c_attn\",\"mlp.c_proj\"]", config.get("target_modules").toString());
        assertTrue(config.get("fan_in_fan_out").getAsBoolean(), "GPT-2's Conv1D is fan-in first");
        assertEquals("none", config.get("bias").getAsString());
        Map<String, String> shapes = new TreeMap<>();
        try (SafetensorsReader r =
                SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
            r.tensors()
                    .forEach(
                            (name, info) ->
                                    shapes.put(name, java.util.Arrays.toString(info.shape())));
        }
        Map<String, String> expected = new TreeMap<>();
        for (int layer = 0; layer < 2; layer++) {
            String h = "base_model.model.transformer.h." + layer;
            expected.put(h + ".attn.c_attn.lora_A.weight", "[4, 32]");
            expected.put(h + ".attn.c_attn.lora_B.weight", "[96, 4]");
            expected.put(h + ".mlp.c_proj.lora_A.weight", "[4, 64]");
            expected.put(h + ".mlp.c_proj.lora_B.weight", "[32, 4]");
        }
        assertEquals(expected, shapes);
        assertEquals(LORA, AdapterDirectory.readConfig(adapter));
    }

    @Test
    void anAdapterForAnotherBaseIsRefusedByName() throws Exception {
        Path wider = dir.resolve("wider");
        Path deeper = dir.resolve("deeper");
        GptConfig small = TestModels.small(2, 8, Activation.GELU_NEW, true);
        try (LanguageModel a =
                        LanguageModel.create(
                                small.toBuilder().dModel(64).mlpHidden(64).build(), 1, null);
                LanguageModel b =
                        LanguageModel.create(small.toBuilder().layers(1).build(), 1, null)) {
            a.save(wider);
            b.save(deeper);
        }
        assertRefused(
                wider,
                adapter,
                "tensor 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight' has shape (4, 32)"
                        + " but the base model implies (4, 64)");
        assertRefused(
                deeper,
                adapter,
                "unexpected tensors [base_model.model.transformer.h.1.attn.c_attn.lora_A.weight");
        assertRefused(
                base,
                rewritten(
                        "no-b",
                        t -> t.remove("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight")),
                "missing tensor 'base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight' of shape (32, 4)");
        assertRefused(base, dir.resolve("missing"), "adapter directory not found");
        assertRefused(base, base, "missing adapter_config.json");
    }

    /** A bad setting of adapter_config.json: the key, its JSON value, the message. */
    private record Setting(String key, String value, String message) {}

    @Test
    void settingsTinygptDoesNotComputeAreRefusedByName() throws Exception {
        List<Setting> settings =
                List.of(
                        new Setting("peft_type", "\"PREFIX_TUNING\"", "peft_type must be \"LORA\""),
                        new Setting("use_dora", "true", "use_dora = true is not supported"),
                        new Setting("bias", "\"all\"", "bias = \"all\" is not supported"),
                        new Setting(
                                "rank_pattern", "{\"c_attn\": 2}", "rank_pattern = {\"c_attn\":2}"),
                        new Setting(
                                "layers_to_transform", "[0]", "layers_to_transform = [0] is not"),
                        new Setting(
                                "target_modules", "\".*c_attn\"", "must be a list of module names"),
                        new Setting(
                                "target_modules", "[\"lm_head\"]", "'lm_head' names no projection"),
                        new Setting("r", "0", "r (the LoRA rank) must be at least 1, got 0"),
                        new Setting("r", "64", "r (64) must be at most 32"));
        int n = 0;
        for (Setting s : settings) {
            Path bad = Files.createDirectories(dir.resolve("config-" + n++));
            Files.copy(
                    adapter.resolve(AdapterDirectory.WEIGHTS_FILE),
                    bad.resolve(AdapterDirectory.WEIGHTS_FILE));
            JsonObject config =
                    JsonParser.parseString(Files.readString(adapter.resolve("adapter_config.json")))
                            .getAsJsonObject();
            config.add(s.key(), JsonParser.parseString(s.value()));
            Files.writeString(bad.resolve("adapter_config.json"), config.toString());
            assertRefused(base, bad, s.message());
        }
    }

    private static void assertRefused(Path model, Path adapterDir, String message) {
        int before = TestModels.liveArrays();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> LanguageModel.load(model, adapterDir).close());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(before, TestModels.liveArrays(), "a refused adapter leaves no arrays");
    }

    /** A copy of the adapter with its tensors changed. */
    private static Path rewritten(String name, Consumer<Map<String, NDArray>> change)
            throws Exception {
        Path out = Files.createDirectories(dir.resolve(name));
        Files.copy(adapter.resolve("adapter_config.json"), out.resolve("adapter_config.json"));
        try (SafetensorsReader r =
                        SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE));
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String t : r.tensors().keySet()) {
                tensors.put(t, r.readFloat32(t, m));
            }
            change.accept(tensors);
            SafetensorsWriter.write(out.resolve(AdapterDirectory.WEIGHTS_FILE), tensors);
        }
        return out;
    }
}
