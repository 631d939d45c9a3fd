package dev.tinygpt.model;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Random;

/**
 * GPT-2's initialisation, drawn in plain Java from a seed so a seed gives the same model on every
 * machine and engine version: weights and embeddings ~ N(0, 0.02); the residual projections ({@code
 * attn.c_proj}, {@code mlp.c_proj}) ~ N(0, 0.02/√(2·n_layer)), GPT-2 paper §2.3 as in nanoGPT;
 * biases 0; LayerNorm weight 1, bias 0.
 *
 * <p>Parameters are drawn in checkpoint order from one {@link Random}, whose Gaussian sequence the
 * Java specification fixes.
 */
public final class WeightInit {
    static final double STD = 0.02;

    private WeightInit() {}

    /** Sets every parameter of {@code model} to a fresh array in {@code manager}. */
    public static void initialize(GptModel model, NDManager manager, long seed) {
        Random random = new Random(seed);
        double residualStd = STD / Math.sqrt(2.0 * model.config().layers());
        for (NamedParameter p : model.namedParameters()) {
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
    }
}
