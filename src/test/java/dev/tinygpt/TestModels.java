package dev.tinygpt;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.WeightInit;
import dev.tinygpt.translator.CausalLmTranslator;
import java.util.Arrays;
import java.util.Random;

/** Small models and probes shared by the tests. */
public final class TestModels {
    private TestModels() {}

    /** A small config: vocab 50, 2 layers, width 32, MLP 64. */
    public static GptConfig small(int heads, int context, Activation activation, boolean tied) {
        return GptConfig.builder()
                .vocabSize(50)
                .contextLength(context)
                .layers(2)
                .heads(heads)
                .dModel(32)
                .mlpHidden(64)
                .activation(activation)
                .tiedHead(tied)
                .build();
    }

    /**
     * A model whose forward returns logits at every position, behind the DJL causal-LM translator
     * ({@code NDList -> CausalLMOutput}), with GPT-2 init from {@code seed}.
     */
    public static ZooModel<NDList, CausalLMOutput> fullLogitsModel(GptConfig config, long seed) {
        Model model = Model.newInstance("test", "PyTorch");
        GptModel block = new GptModel(config, false);
        WeightInit.initialize(block, model.getNDManager(), seed);
        model.setBlock(block);
        return new ZooModel<>(model, new CausalLmTranslator(config));
    }

    /** Logits {@code [T][V]} for every position of one unpadded sequence, no cache. */
    public static float[][] allLogits(ZooModel<NDList, CausalLMOutput> model, int[] ids) {
        try (NDManager m = NDManager.newBaseManager();
                Predictor<NDList, CausalLMOutput> predictor = model.newPredictor()) {
            long[] tokens = Arrays.stream(ids).asLongStream().toArray();
            long[] positions = new long[ids.length];
            long[] mask = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                positions[i] = i;
                mask[i] = 1;
            }
            Shape shape = new Shape(1, ids.length);
            NDList input =
                    new NDList(
                            m.create(tokens, shape),
                            m.create(positions, shape),
                            m.create(mask, shape));
            NDArray logits = predictor.predict(input).getLogits();
            int v = Math.toIntExact(logits.getShape().get(2));
            float[] flat = logits.toFloatArray();
            float[][] out = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                out[t] = Arrays.copyOfRange(flat, t * v, (t + 1) * v);
            }
            return out;
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every NDArray alive in the process, across all managers. */
    public static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** Deterministic pseudo-random token ids. */
    public static int[] randomIds(int length, int vocab, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }
}
