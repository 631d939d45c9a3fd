package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeterminismTest {

    @Test
    void sameSeedSameWeightsSameTokens() {
        int[] prompt = {0, 2, 5, 8};
        try (LanguageModel a = LanguageModel.create(GptConfig.exercise(), 99, null);
                LanguageModel b = LanguageModel.create(GptConfig.exercise(), 99, null);
                LanguageModel c = LanguageModel.create(GptConfig.exercise(), 100, null)) {
            List<NamedParameter> pa = a.block().namedParameters();
            List<NamedParameter> pb = b.block().namedParameters();
            boolean anyDifferent = false;
            for (int i = 0; i < pa.size(); i++) {
                float[] va = pa.get(i).parameter().getArray().toFloatArray();
                assertArrayEquals(
                        va, pb.get(i).parameter().getArray().toFloatArray(), 0f, pa.get(i).name());
                float[] vc =
                        c.block().namedParameters().get(i).parameter().getArray().toFloatArray();
                anyDifferent |= !Arrays.equals(va, vc);
            }
            assertEquals(true, anyDifferent, "another seed must give other weights");
            GenerationOptions options = GenerationOptions.greedy(40);
            assertArrayEquals(
                    a.generate(prompt, options).tokens(), b.generate(prompt, options).tokens());
            assertArrayEquals(
                    a.generate(prompt, options).tokens(), a.generate(prompt, options).tokens());
        }
    }

    @Test
    void initialisationFollowsGpt2() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            for (NamedParameter p : lm.block().namedParameters()) {
                float[] v = p.parameter().getArray().toFloatArray();
                double mean = Arrays.stream(toDoubles(v)).average().orElse(0);
                double std =
                        Math.sqrt(
                                Arrays.stream(toDoubles(v))
                                        .map(x -> (x - mean) * (x - mean))
                                        .average()
                                        .orElse(0));
                String n = p.name();
                if (n.contains("ln_") && n.endsWith("weight")) {
                    assertEquals(1.0, mean, 0.0, n);
                    assertEquals(0.0, std, 0.0, n);
                } else if (n.endsWith("bias")) {
                    assertEquals(0.0, std, 0.0, n);
                    assertEquals(0.0, mean, 0.0, n);
                } else {
                    double expected = n.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(6) : 0.02;
                    assertEquals(expected, std, expected * 0.1, n + " std");
                }
            }
        }
    }

    @Test
    void saveLoadRoundTripGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        int[] prompt = {3, 1, 4, 1, 5, 9};
        float[] before;
        try (LanguageModel lm =
                        LanguageModel.create(GptConfig.exercise(), 21, WordTokenizer.exercise());
                InferenceSession s = lm.newSession()) {
            before = s.prefill(prompt);
            lm.save(dir);
        }
        try (LanguageModel loaded = LanguageModel.load(dir);
                InferenceSession s = loaded.newSession()) {
            assertEquals(GptConfig.exercise(), loaded.config());
            assertEquals(
                    WordTokenizer.EXERCISE_WORDS,
                    ((WordTokenizer) loaded.tokenizer().orElseThrow()).words());
            assertArrayEquals(before, s.prefill(prompt), 0f);
        }
        // A second load of the same directory is independent of the first.
        try (LanguageModel again = LanguageModel.load(dir);
                InferenceSession s = again.newSession()) {
            assertFalse(TestModels.maxAbsDiff(before, s.prefill(prompt)) > 0f);
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
