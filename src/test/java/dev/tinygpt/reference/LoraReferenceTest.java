package dev.tinygpt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.tinygpt.TestAdapters;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA adapter applied unmerged: with B zero (as training starts) the logits are the base model's
 * bit for bit; with a real update they agree with {@link ReferenceGpt} run on weights merged in
 * plain Java ({@code W + Aᵀ·Bᵀ·α/r}, read from the adapter file by PEFT's names); and {@code
 * convert --adapter}'s merged model computes the unmerged model's logits.
 */
class LoraReferenceTest {
    private static final GptConfig CONFIG = ReferenceForwardTest.fourHeads(50);

    /** Every projection, as {@code --lora-targets c_attn,c_proj,c_fc} asks. */
    private static final LoraConfig LORA =
            new LoraConfig(4, 8f, 0f, List.of("c_attn", "c_proj", "c_fc"), "base");

    private static final int[] IDS = {3, 49, 0, 17, 17, 25, 8, 41, 2, 30, 11, 46};

    @TempDir static Path dir;
    private static Path base;

    @BeforeAll
    static void makeBase() throws Exception {
        base = dir.resolve("base");
        try (LanguageModel lm = LanguageModel.create(CONFIG, 2, null)) {
            lm.save(base);
        }
    }

    @Test
    void anAdapterAtItsStartGivesTheBaseModelsLogitsExactly() throws Exception {
        Path adapter = TestAdapters.write(base, LORA, 5, false, dir.resolve("zero-b"));
        float[][] plain = everyPrefix(base, null);
        float[][] adapted = everyPrefix(base, adapter);
        for (int t = 0; t < IDS.length; t++) {
            assertArrayEquals(plain[t], adapted[t], "position " + t);
        }
    }

    @Test
    void anUnmergedAdapterMatchesTheReferenceOnMergedWeights() throws Exception {
        Path adapter = TestAdapters.write(base, LORA, 6, true, dir.resolve("random-b"));
        ReferenceGpt reference = new ReferenceGpt(CONFIG, mergedInJava(adapter));
        float[][] adapted = everyPrefix(base, adapter);
        float[][] plain = everyPrefix(base, null);
        double max = 0;
        double moved = 0;
        for (int t = 0; t < IDS.length; t++) {
            double[] expected = reference.lastLogits(Arrays.copyOf(IDS, t + 1));
            for (int v = 0; v < expected.length; v++) {
                max = Math.max(max, Math.abs(expected[v] - adapted[t][v]));
                moved = Math.max(moved, Math.abs(plain[t][v] - adapted[t][v]));
            }
        }
        System.out.printf(
                "LoraReferenceTest max |reference - DJL| %.3g (the adapter moves logits by %.3g)%n",
                max, moved);
        assertTrue(max <= 1e-4, "unmerged adapter vs reference: " + max);
        assertTrue(moved > 0.1, "the adapter hardly changes the logits: " + moved);
    }

    @Test
    void theMergedModelComputesTheUnmergedLogits() throws Exception {
        Path adapter = TestAdapters.write(base, LORA, 7, true, dir.resolve("to-merge"));
        Path merged = dir.resolve("merged");
        try (LanguageModel lm = LanguageModel.load(base, adapter)) {
            lm.save(merged);
        }
        float[][] unmerged = everyPrefix(base, adapter);
        float[][] plain = everyPrefix(merged, null);
        float max = 0;
        for (int t = 0; t < IDS.length; t++) {
            max = Math.max(max, TestModels.maxAbsDiff(unmerged[t], plain[t]));
        }
        System.out.printf("LoraReferenceTest max |merged - unmerged| %.3g%n", max);
        assertTrue(max <= 1e-5, "merged vs unmerged: " + max);
    }

    @Test
    void theScoringSessionOfAnAdaptedModelCarriesTheAdapter() throws Exception {
        // The server scores echoed prompts with every position's logits (newScoringSession): the
        // adapter must be in that block too, not only in the decode block.
        Path adapter = TestAdapters.write(base, LORA, 8, true, dir.resolve("scoring"));
        float[][] expected = everyPrefix(base, adapter);
        try (LanguageModel lm = LanguageModel.load(base, adapter);
                InferenceSession scoring = lm.newScoringSession()) {
            StepOutput out = scoring.step(StepInput.of(IDS, null));
            float max = 0;
            for (int t = 0; t < IDS.length; t++) {
                int at = out.offset(0, t);
                float[] row = Arrays.copyOfRange(out.logits(), at, at + CONFIG.vocabSize());
                max = Math.max(max, TestModels.maxAbsDiff(expected[t], row));
            }
            assertTrue(max <= 1e-5, "scoring session vs decode session: " + max);
        }
    }

    /** The last logits of every prefix of {@link #IDS}, each its own forward pass. */
    private static float[][] everyPrefix(Path model, Path adapter) throws Exception {
        try (LanguageModel lm = LanguageModel.load(model, adapter);
                InferenceSession session = lm.newSession()) {
            float[][] logits = new float[IDS.length][];
            for (int t = 0; t < IDS.length; t++) {
                logits[t] = session.forward(Arrays.copyOf(IDS, t + 1));
            }
            return logits;
        }
    }

    /** The base weights with each adapted projection's update added, in plain Java. */
    private static Map<String, float[]> mergedInJava(Path adapter) throws Exception {
        Map<String, float[]> weights = new HashMap<>();
        try (LanguageModel lm = LanguageModel.load(base)) {
            for (NamedParameter p : lm.block().namedParameters()) {
                weights.put(p.name(), p.parameter().getArray().toFloatArray());
            }
        }
        int r = LORA.rank();
        float scale = LORA.alpha() / r;
        try (SafetensorsReader reader =
                        SafetensorsReader.open(adapter.resolve("adapter_model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (int layer = 0; layer < CONFIG.layers(); layer++) {
                for (String module :
                        List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")) {
                    String name = "h." + layer + "." + module;
                    String peft = "base_model.model.transformer." + name;
                    float[] a = reader.readFloat32(peft + ".lora_A.weight", m).toFloatArray();
                    float[] b = reader.readFloat32(peft + ".lora_B.weight", m).toFloatArray();
                    float[] w = weights.get(name + ".weight"); // [in, out]
                    int in = a.length / r;
                    int out = b.length / r;
                    for (int i = 0; i < in; i++) {
                        for (int j = 0; j < out; j++) {
                            double sum = 0;
                            for (int k = 0; k < r; k++) {
                                sum +=
                                        (double) a[k * in + i]
                                                * b[j * r + k]; // A [r, in], B [out, r]
                            }
                            w[i * out + j] += (float) (scale * sum);
                        }
                    }
                }
            }
        }
        return weights;
    }
}
