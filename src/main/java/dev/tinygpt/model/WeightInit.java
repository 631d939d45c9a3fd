package dev.tinygpt.model;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Random;

/**
 * GPT-2's initialisation, drawn in plain Java from a seed so a seed gives the same model on every
 * machine and engine version: weights and embeddings ~ N(0, 0.02); the residual projections ({@code
 * attn.c_proj}, {@code mlp.c_proj}) ~ N(0, 0.02/√(2·n_layer)), GPT-2 paper §2.3 as in nanoGPT;
 * biases 0; LayerNorm weight 1, bias 0. LoRA adapters start as PEFT's do ({@link
 * #initializeAdapters}).
 *
 * <p>Parameters are drawn in checkpoint order from one {@link Random}, whose Gaussian sequence the
 * Java specification fixes.
 */
public final class WeightInit {
    static final double STD = 0.02;

    private WeightInit() {}

    /**
     * Sets every parameter of {@code model}, adapters included, to a fresh array in {@code
     * manager}.
     */
    public static void initialize(GptModel model, NDManager manager, long seed) {
        Random random = new Random(seed);
        double residualStd = STD / Math.sqrt(2.0 * model.config().layers());
        for (NamedParameter p : model.baseParameters()) {
            float[] values = new float[Math.toIntExact(p.size())];
            switch (p.parameter().getType()) {
                case GAMMA -> Arrays.fill(values, 1f);
                case WEIGHT -> {
                    double std = p.name().endsWith("c_proj.weight") ? residualStd : STD;
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (random.nextGaussian() * std);
                    }
                }
                default -> {} // biases and LayerNorm shifts start at 0
            }
            p.set(manager.create(values, p.shape()));
        }
        initializeAdapters(model, manager, seed);
    }

    /**
     * Sets the adapters' parameters as PEFT does: {@code lora_A} uniform in ±1/√in (PyTorch's
     * {@code kaiming_uniform_} with a = √5, {@code nn.Linear}'s default), {@code lora_B} zero, so
     * every update starts at exactly 0 and the adapted model computes the base model's logits.
     */
    public static void initializeAdapters(GptModel model, NDManager manager, long seed) {
        Random random = new Random(seed);
        for (NamedParameter p : model.adapterParameters()) {
            float[] values = new float[Math.toIntExact(p.size())];
            if (p.name().endsWith(".lora_A.weight")) {
                double bound = 1 / Math.sqrt(p.shape().get(1)); // A is [r, in]
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
            }
            p.set(manager.create(values, p.shape()));
        }
    }
}
