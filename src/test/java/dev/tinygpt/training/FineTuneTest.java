package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.GptCriteria;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainingRun#fineTune}: a run from a model directory starts with that model's logits
 * exactly (every weight training, a cropped context, or LoRA adapters with B = 0); a LoRA run
 * trains the adapters alone (the base weights bit for bit unchanged, no gradients or moments for
 * them) and writes a PEFT adapter directory that applies to the base; both kinds resume to the
 * uninterrupted run's weights bit for bit.
 */
class FineTuneTest {
    private static final String CORPUS = TrainingRunTest.CORPUS.repeat(4);
    private static final LoraConfig LORA =
            new LoraConfig(4, 8f, 0.1f, List.of("c_attn", "c_proj", "c_fc"), "");

    @TempDir static Path shared;
    private static Path base;
    private static int[] ids;

    @TempDir Path dir;

    /** A small char model (dropout on, so its masks must replay on resume) saved as a directory. */
    @BeforeAll
    static void makeBase() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        base = shared.resolve("base");
        try (LanguageModel lm =
                LanguageModel.create(TrainingRunTest.tiny(tokenizer, 16, 0.1f), 7, tokenizer)) {
            lm.save(base);
        }
        ids = tokenizer.encode("to be or not to");
    }

    @Test
    void atStepZeroAFineTuneComputesTheBaseModelsLogitsExactly() throws Exception {
        for (FineTune from :
                List.of(
                        new FineTune(base, null, null, null),
                        new FineTune(base, null, 0f, LORA),
                        new FineTune(base, 8, null, null))) {
            Path out = dir.resolve("run-" + from.lora() + from.context());
            try (TrainingRun run = TrainingRun.fineTune(from, CORPUS, options(4), out)) {
                int n = Math.min(ids.length, run.config().contextLength());
                int[] prefix = Arrays.copyOf(ids, n);
                // The forward a model directory's logits come from, on the same ids: equal floats.
                float[][] expected = baseLogits(prefix);
                assertArrayEquals(expected[n - 1], run.lastLogits(prefix), 0f, from.toString());
            }
        }
    }

    @Test
    void aCroppedContextKeepsTheFirstPositionsAndTheSavedModelIsComplete() throws Exception {
        Path out = dir.resolve("cropped");
        try (TrainingRun run =
                TrainingRun.fineTune(new FineTune(base, 8, 0f, null), CORPUS, options(4), out)) {
            assertEquals(8, run.config().contextLength());
            assertEquals(0f, run.config().dropout());
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
        }
        try (LanguageModel lm = LanguageModel.load(out)) {
            assertEquals(8, lm.config().contextLength());
            assertEquals("to be", lm.tokenizer().orElseThrow().decode(Arrays.copyOf(ids, 5)));
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TrainingRun.fineTune(
                                        new FineTune(base, 17, null, null),
                                        CORPUS,
                                        options(4),
                                        dir.resolve("too-long")));
        assertEquals("context (17) must be at most the model's context length, 16", e.getMessage());
        assertFalse(Files.exists(dir.resolve("too-long")), "a refused run leaves nothing");
    }

    @Test
    void textTheModelsTokenizerCannotEncodeIsRefusedByPosition() {
        Path out = dir.resolve("refused");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TrainingRun.fineTune(
                                        new FineTune(base, null, null, null),
                                        CORPUS + "Zebra",
                                        options(4),
                                        out));
        assertEquals(
                "the corpus holds text the model's tokenizer cannot encode: unknown character 'Z'"
                        + " (U+005A) at index "
                        + CORPUS.length()
                        + "; the vocabulary has 32 characters",
                e.getMessage());
        assertFalse(Files.exists(out.resolve("tokens.bin")), "a refused run writes no tokens");
    }

    @Test
    void loraTrainsTheAdaptersAloneAndWritesAPeftAdapterForTheBase() throws Exception {
        Path out = dir.resolve("lora");
        Map<String, float[]> before = baseWeights();
        float[] trained;
        try (TrainingRun run =
                TrainingRun.fineTune(
                        new FineTune(base, null, null, LORA), CORPUS, options(6), out)) {
            long adapters = run.block().adapterParameters().stream().mapToLong(p -> p.size()).sum();
            assertEquals(adapters, run.trainableParameters());
            assertTrue(adapters > 0 && adapters < run.block().parameterCount() / 2);
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            for (NamedParameter p : run.block().baseParameters()) {
                assertFalse(p.parameter().getArray().hasGradient(), p.name() + " has a gradient");
                assertArrayEquals(
                        before.get(p.name()),
                        p.parameter().getArray().toFloatArray(),
                        0f,
                        p.name() + " changed");
            }
            for (NamedParameter p : run.block().adapterParameters()) {
                if (p.name().endsWith("lora_B.weight")) {
                    float[] b = p.parameter().getArray().toFloatArray();
                    assertTrue(maxAbs(b) > 0, p.name() + " did not train");
                }
            }
            trained = run.lastLogits(ids);
        }
        // AdamW holds moments for the adapters and nothing else.
        Set<String> moments = tensorNames(out.resolve("checkpoint/optimizer.safetensors"));
        Set<String> expected = new TreeSet<>();
        for (String name : adapterNames(out)) {
            expected.add("m." + name);
            expected.add("v." + name);
        }
        assertEquals(expected, moments);

        JsonObject config =
                JsonParser.parseString(Files.readString(out.resolve("adapter_config.json")))
                        .getAsJsonObject();
        assertEquals("LORA", config.get("peft_type").getAsString());
        assertEquals(
                base.toAbsolutePath().normalize().toString(),
                config.get("base_model_name_or_path").getAsString());
        assertEquals(4, config.get("r").getAsInt());
        assertEquals(8.0, config.get("lora_alpha").getAsDouble());
        assertTrue(config.get("fan_in_fan_out").getAsBoolean());
        assertTrue(
                tensorNames(out.resolve("adapter_model.safetensors"))
                        .contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"));
        assertFalse(Files.exists(out.resolve("model.safetensors")), "the base is not copied");

        // The adapter applied to the base (unmerged) computes the trained model's logits.
        try (LanguageModel lm = LanguageModel.load(base, out);
                InferenceSession session = lm.newSession()) {
            float diff = TestModels.maxAbsDiff(trained, session.forward(ids));
            assertTrue(diff <= 1e-5f, "adapter on its base vs the trained model: " + diff);
        }
    }

    @Test
    void aFineTuneAndALoraRunResumeToTheUninterruptedRunsWeights() throws Exception {
        for (FineTune from :
                List.of(new FineTune(base, 12, null, null), new FineTune(base, null, null, LORA))) {
            String what = from.lora() == null ? "fine-tune" : "LoRA";
            Path whole = dir.resolve(what + "-whole");
            Path halves = dir.resolve(what + "-halves");
            List<float[]> uninterrupted;
            try (TrainingRun run = TrainingRun.fineTune(from, CORPUS, options(8), whole)) {
                run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
                uninterrupted = weights(run);
            }
            try (TrainingRun run = TrainingRun.fineTune(from, CORPUS, options(8), halves)) {
                assertFalse(run.tokenized().reused());
                run.train(4, TrainingRunTest.QUIET); // "killed" after the checkpoint at step 4
            }
            try (TrainingRun run = TrainingRun.resume(halves, CORPUS)) {
                assertEquals(4, run.iteration());
                assertTrue(run.tokenized().reused(), what + ": the token file is reused");
                assertEquals(from.lora() != null, run.lora().isPresent(), what);
                run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
                List<float[]> resumed = weights(run);
                assertEquals(uninterrupted.size(), resumed.size());
                for (int i = 0; i < resumed.size(); i++) {
                    assertArrayEquals(uninterrupted.get(i), resumed.get(i), 0f, what + " " + i);
                }
            }
        }
    }

    /** An evaluation (and checkpoint) every 4 steps. */
    private static TrainingOptions options(int maxIters) {
        return TrainingRunTest.options(maxIters, 4, 3e-3f);
    }

    private static List<float[]> weights(TrainingRun run) {
        return run.block().namedParameters().stream()
                .map(p -> p.parameter().getArray().toFloatArray())
                .toList();
    }

    /** The base model's logits at every position, through the forward of a model directory. */
    private static float[][] baseLogits(int[] ids) throws Exception {
        try (ZooModel<NDList, CausalLMOutput> zoo = GptCriteria.causalLm(base, false).loadModel()) {
            return TestModels.allLogits(zoo, ids);
        }
    }

    private static Map<String, float[]> baseWeights() throws Exception {
        Map<String, float[]> weights = new LinkedHashMap<>();
        try (LanguageModel lm = LanguageModel.load(base)) {
            for (NamedParameter p : lm.block().namedParameters()) {
                weights.put(p.name(), p.parameter().getArray().toFloatArray());
            }
        }
        return weights;
    }

    /** The adapters' parameter names (without PEFT's prefix) in an adapter directory. */
    private static Set<String> adapterNames(Path adapter) throws Exception {
        return tensorNames(adapter.resolve("adapter_model.safetensors")).stream()
                .map(n -> n.substring("base_model.model.transformer.".length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** The tensor names of a safetensors file. */
    private static Set<String> tensorNames(Path file) throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return new TreeSet<>(reader.tensors().keySet());
        }
    }
}
