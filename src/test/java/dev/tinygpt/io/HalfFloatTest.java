package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfFloatTest {

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloat.toFloat(bits);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(f) & 0xFFFF)));
            } else {
                assertEquals(
                        (short) bits, HalfFloat.fromFloat(f), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void roundsToNearestEvenAndSaturates() {
        assertEquals(1f, HalfFloat.toFloat(HalfFloat.fromFloat(1f + 0x1p-11f))); // tie → even (1.0)
        assertEquals(
                1f + 0x1p-9f,
                HalfFloat.toFloat(HalfFloat.fromFloat(1f + 0x1.8p-10f))); // tie → even
        assertEquals(
                1f + 0x1p-10f,
                HalfFloat.toFloat(HalfFloat.fromFloat(1f + 0x1.1p-11f))); // above the tie
        assertEquals(Float.POSITIVE_INFINITY, HalfFloat.toFloat(HalfFloat.fromFloat(70000f)));
        assertEquals(
                0x1p-24f, HalfFloat.toFloat(HalfFloat.fromFloat(0x1p-24f))); // smallest subnormal
        assertEquals(0f, HalfFloat.toFloat(HalfFloat.fromFloat(0x1p-26f)));
        assertEquals(-0.5f, HalfFloat.toFloat(HalfFloat.fromFloat(-0.5f)));
    }

    @Test
    void convertToF16HalvesTheFileAndKeepsTheLogitsClose(@TempDir Path dir) throws Exception {
        Path f32 = dir.resolve("f32");
        Path f16 = dir.resolve("f16");
        int[] ids = {0, 2, 5, 8};
        float[] reference;
        try (LanguageModel lm =
                        LanguageModel.create(GptConfig.exercise(), 5, WordTokenizer.exercise());
                InferenceSession s = lm.newSession()) {
            lm.save(f32);
            reference = s.prefill(ids);
        }
        dev.tinygpt.CliRunner.Run r =
                dev.tinygpt.CliRunner.run(
                        "convert",
                        "--model",
                        f32.toString(),
                        "--out",
                        f16.toString(),
                        "--dtype",
                        "f16");
        assertEquals(0, r.code(), r.err());
        long a = Files.size(f32.resolve("model.safetensors"));
        long b = Files.size(f16.resolve("model.safetensors"));
        assertTrue(b < a * 0.51, a + " -> " + b);
        try (LanguageModel lm = LanguageModel.load(f16);
                InferenceSession s = lm.newSession()) {
            float[] half = s.prefill(ids);
            for (int i = 0; i < half.length; i++) {
                assertEquals(reference[i], half[i], 2e-3f, "logit " + i);
            }
            assertEquals("the cat sat on", lm.tokenizer().orElseThrow().decode(ids));
        }
        assertEquals(
                2,
                dev.tinygpt.CliRunner.run(
                                "convert", "--model", f32.toString(), "--out", f32.toString())
                        .code());
    }
}
