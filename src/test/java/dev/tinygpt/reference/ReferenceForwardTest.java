package dev.tinygpt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.GptCriteria;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DJL model against {@link ReferenceGpt}, an independent plain-Java forward pass: logits at
 * every position (through {@link GptCriteria#causalLm}) and step by step through the KV cache, all
 * within {@link #TOLERANCE}. Each comparison prints the largest difference it saw.
 *
 * <p>GPT-2's initialisation (biases 0, LayerNorm 1 and 0, weights ~ N(0, 0.02)) gives near-uniform
 * attention and logits of about 0.1, which would hide a wrong bias, LayerNorm affine or mask behind
 * the tolerance; so the tests redraw every parameter at unit scale first ({@link #randomize}).
 */
class ReferenceForwardTest {
    /** Absolute tolerance on logits: DJL computes in float32, the reference in double. */
    private static final double TOLERANCE = 1e-4;

    @TempDir Path dir;

    @Test
    void exerciseModelMatchesReferenceAtEveryPosition() throws Exception {
        int[] ids = {0, 2, 5, 8, 13, 19, 1, 7, 7, 3};
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            double asCreated = compareAllPositions(lm, dir.resolve("as-created"), ids);
            randomize(lm.block(), 101);
            double randomized = compareAllPositions(lm, dir.resolve("randomized"), ids);
            report("exercise, GPT-2 init, all positions", asCreated);
            report("exercise, randomized, all positions", randomized);
        }
    }

    /** Two layers of four heads, 16 positions, tied: the reference tests' small model. */
    static GptConfig fourHeads(int vocabSize) {
        return GptConfig.builder()
                .vocabSize(vocabSize)
                .contextLength(16)
                .layers(2)
                .heads(4)
                .dModel(32)
                .mlpHidden(64)
                .build();
    }

    @Test
    void fourHeadTiedGeluNewModelMatchesReferenceWithAndWithoutCache() throws Exception {
        GptConfig config = fourHeads(50);
        int[] ids = {3, 49, 0, 17, 17, 25, 8, 41, 2, 30, 11, 46, 5, 33, 19, 7}; // fills the context
        int prefix = 6;
        try (LanguageModel lm = LanguageModel.create(config, 2, null)) {
            randomize(lm.block(), 102);
            ReferenceGpt reference = referenceOf(lm.block());
            double allPositions = compareAllPositions(lm, dir, ids);
            double cached;
            double uncached;
            try (InferenceSession session = lm.newSession()) {
                int[] head = Arrays.copyOf(ids, prefix);
                cached = maxAbsDiff(reference.lastLogits(head), session.prefill(head), "prefill");
                for (int t = prefix; t < ids.length; t++) {
                    int[] seen = Arrays.copyOf(ids, t + 1);
                    String what = "append at position " + t;
                    double d = maxAbsDiff(reference.lastLogits(seen), session.append(ids[t]), what);
                    cached = Math.max(cached, d);
                }
                assertEquals(ids.length, session.cachedLength());
                uncached = maxAbsDiff(reference.lastLogits(ids), session.forward(ids), "forward");
            }
            report("4 heads gelu_new tied, all positions", allPositions);
            report("4 heads gelu_new tied, prefill + appends", cached);
            report("4 heads gelu_new tied, forward", uncached);
        }
    }

    @Test
    void twoHeadExactGeluModelMatchesReferenceAndIsToldFromTanhGelu() throws Exception {
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(37)
                        .contextLength(12)
                        .layers(2)
                        .heads(2)
                        .dModel(24)
                        .mlpHidden(48)
                        .activation(Activation.GELU)
                        .tiedHead(false)
                        .build();
        int[] ids = {36, 0, 4, 4, 21, 9, 30, 1, 15, 27, 8, 12};
        try (LanguageModel lm = LanguageModel.create(config, 3, null)) {
            randomize(lm.block(), 103);
            double exact = compareAllPositions(lm, dir, ids);
            report("2 heads gelu, all positions", exact);

            // A DJL model computing tanh GELU for "gelu" would be this far off: the tolerance
            // must leave it failing.
            GptConfig tanh = config.toBuilder().activation(Activation.GELU_NEW).build();
            Map<String, float[]> weights = weightsOf(lm.block());
            double[][] approximated = new ReferenceGpt(tanh, weights).logits(ids);
            double[][] reference = new ReferenceGpt(config, weights).logits(ids);
            double gap = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < config.vocabSize(); v++) {
                    gap = Math.max(gap, Math.abs(approximated[t][v] - reference[t][v]));
                }
            }
            System.out.printf("ReferenceForwardTest erf vs tanh GELU gap: %.3g%n", gap);
            assertTrue(gap > 2 * TOLERANCE, "tanh GELU differs from exact GELU by only " + gap);
        }
    }

    // ---- ReferenceGpt on its own, no DJL ----

    @Test
    void erfMatchesKnownValues() {
        // Values of CPython's math.erf.
        double[][] cases = {
            {0, 0},
            {0.1, 0.1124629160182849},
            {0.5, 0.5204998778130465},
            {1, 0.8427007929497149},
            {-1.5, -0.9661051464753108},
            {2, 0.9953222650189527},
            {3, 0.9999779095030014},
            {4.5, 0.9999999998033839},
            {-7, -1}
        };
        for (double[] c : cases) {
            assertEquals(c[1], ReferenceGpt.erf(c[0]), 1e-15, "erf(" + c[0] + ")");
        }
    }

    @Test
    void activationsMatchKnownValues() {
        assertEquals(0.8413447460685429, ReferenceGpt.activation(Activation.GELU, 1), 1e-15);
        assertEquals(-0.04550026389635842, ReferenceGpt.activation(Activation.GELU, -2), 1e-15);
        assertEquals(0.8411919906082768, ReferenceGpt.activation(Activation.GELU_NEW, 1), 1e-15);
        assertEquals(-0.04540230591222494, ReferenceGpt.activation(Activation.GELU_NEW, -2), 1e-15);
        assertEquals(0, ReferenceGpt.activation(Activation.RELU, -1.5));
        assertEquals(2.5, ReferenceGpt.activation(Activation.RELU, 2.5));
    }

    @Test
    void layerNormUsesBiasedVarianceAndAffine() {
        // mean 2.5, biased variance 1.25: (x - 2.5)/√1.25
        double[] x = {1, 2, 3, 4};
        double[] plain = ReferenceGpt.layerNorm(x, new float[] {1, 1, 1, 1}, new float[4], 0);
        double a = 1.3416407864998738;
        double b = 0.4472135954999579;
        assertArrayEquals(new double[] {-a, -b, b, a}, plain, 1e-15);
        float[] gamma = {2, 2, 0.5f, 1};
        float[] beta = {1, 0, 0, -1};
        double[] affine = ReferenceGpt.layerNorm(x, gamma, beta, 0);
        assertArrayEquals(new double[] {1 - 2 * a, -2 * b, 0.5 * b, a - 1}, affine, 1e-15);
        // eps bounds the scale: a constant vector normalises to beta
        assertArrayEquals(
                new double[] {1, 0, 0, -1},
                ReferenceGpt.layerNorm(new double[] {7, 7, 7, 7}, gamma, beta, 1e-5),
                0);
    }

    @Test
    void softmaxSumsToOneWithoutOverflow() {
        double[] p = {0, Math.log(3)};
        ReferenceGpt.softmaxInPlace(p);
        assertArrayEquals(new double[] {0.25, 0.75}, p, 1e-15);
        double[] large = {1000, 1000, 1000, 999};
        ReferenceGpt.softmaxInPlace(large);
        assertEquals(1, Arrays.stream(large).sum(), 1e-15);
        assertEquals(Math.E, large[0] / large[3], 1e-12);
    }

    @Test
    void referenceIsCausalAndChecksItsWeights() {
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(11)
                        .contextLength(8)
                        .layers(2)
                        .heads(2)
                        .dModel(8)
                        .mlpHidden(16)
                        .activation(Activation.GELU)
                        .tiedHead(false)
                        .build();
        Random random = new Random(7);
        Map<String, float[]> weights = new HashMap<>();
        ReferenceGpt.expectedSizes(config)
                .forEach(
                        (name, size) -> {
                            float[] w = new float[size];
                            for (int i = 0; i < size; i++) {
                                w[i] = (float) (0.5 * random.nextGaussian());
                            }
                            weights.put(name, w);
                        });
        ReferenceGpt reference = new ReferenceGpt(config, weights);
        double[][] before = reference.logits(new int[] {1, 2, 3, 4, 5});
        double[][] after = reference.logits(new int[] {1, 2, 3, 9, 5});
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(before[t], after[t], 0, "position " + t + " saw a later token");
        }
        assertTrue(Math.abs(before[3][0] - after[3][0]) > 1e-3, "position 3 ignored its token");

        weights.put("lm_head.weight", new float[1]);
        assertThrows(IllegalArgumentException.class, () -> new ReferenceGpt(config, weights));
        weights.remove("lm_head.weight");
        assertThrows(IllegalArgumentException.class, () -> new ReferenceGpt(config, weights));
    }

    // ---- helpers ----

    /** Saves {@code lm}, loads it through Criteria and compares every position's logits. */
    private static double compareAllPositions(LanguageModel lm, Path dir, int[] ids)
            throws Exception {
        lm.save(dir);
        float[][] djl = djlLogits(dir, ids, lm.config().vocabSize());
        double[][] expected = referenceOf(lm.block()).logits(ids);
        double max = 0;
        for (int t = 0; t < ids.length; t++) {
            max = Math.max(max, maxAbsDiff(expected[t], djl[t], "position " + t));
        }
        return max;
    }

    /** Logits (T, V) at every position from DJL's causal-LM Predictor, no cache. */
    private static float[][] djlLogits(Path dir, int[] ids, int vocab) throws Exception {
        int t = ids.length;
        Shape shape = new Shape(1, t);
        long[] mask = new long[t];
        Arrays.fill(mask, 1);
        try (ZooModel<NDList, CausalLMOutput> model = GptCriteria.causalLm(dir, false).loadModel();
                Predictor<NDList, CausalLMOutput> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            NDList input =
                    new NDList(
                            manager.create(Arrays.stream(ids).asLongStream().toArray(), shape),
                            manager.create(LongStream.range(0, t).toArray(), shape),
                            manager.create(mask, shape));
            NDArray logits = predictor.predict(input).getLogits();
            assertEquals(new Shape(1, t, vocab), logits.getShape());
            float[] flat = logits.toFloatArray(); // (1, T, V) -> T rows of V
            float[][] rows = new float[t][];
            for (int i = 0; i < t; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
            return rows;
        }
    }

    /** Asserts |expected - actual| ≤ TOLERANCE everywhere (NaN fails); returns the largest. */
    private static double maxAbsDiff(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": logits length");
        double max = 0;
        int worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (Double.isNaN(d) || d > max) {
                max = d;
                worst = i;
                if (Double.isNaN(d)) {
                    break;
                }
            }
        }
        double found = max;
        int at = worst;
        assertTrue(
                found <= TOLERANCE,
                () ->
                        what
                                + ": |reference - DJL| = "
                                + found
                                + " at logit "
                                + at
                                + " (reference "
                                + expected[at]
                                + ", DJL "
                                + actual[at]
                                + "), tolerance "
                                + TOLERANCE);
        return max;
    }

    private static void report(String what, double value) {
        System.out.printf("ReferenceForwardTest max |reference - DJL|, %s: %.3g%n", what, value);
    }

    static ReferenceGpt referenceOf(GptModel model) {
        return new ReferenceGpt(model.config(), weightsOf(model));
    }

    /** Copies every parameter out of DJL once; the reference never sees an NDArray. */
    private static Map<String, float[]> weightsOf(GptModel model) {
        Map<String, float[]> weights = new HashMap<>();
        for (NamedParameter p : model.namedParameters()) {
            weights.put(p.name(), p.parameter().getArray().toFloatArray());
        }
        return weights;
    }

    /**
     * Redraws every parameter in place at unit scale, so each one moves the logits well past the
     * tolerance: matrices ~ N(0, 1/fan_in), embeddings ~ N(0, 0.5²), biases and LayerNorm shifts ~
     * N(0, 0.2²), LayerNorm scales ~ 1 + N(0, 0.2²).
     */
    static void randomize(GptModel model, long seed) {
        Random random = new Random(seed);
        for (NamedParameter p : model.namedParameters()) {
            String name = p.name();
            boolean norm = name.startsWith("ln_f.") || name.contains(".ln_");
            double std;
            double mean = 0;
            if (name.startsWith("wte.") || name.startsWith("wpe.")) {
                std = 0.5;
            } else if (p.isMatrix()) {
                // Conv1D stores (in, out); lm_head, as nn.Linear, (out, in)
                long fanIn = name.startsWith("lm_head.") ? p.shape().get(1) : p.shape().get(0);
                std = 1 / Math.sqrt(fanIn);
            } else {
                std = 0.2;
                mean = norm && name.endsWith(".weight") ? 1 : 0;
            }
            float[] values = new float[Math.toIntExact(p.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (mean + std * random.nextGaussian());
            }
            p.parameter().getArray().set(values);
        }
    }
}
