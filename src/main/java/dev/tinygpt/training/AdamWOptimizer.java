package dev.tinygpt.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinygpt.model.NamedParameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter 2019) with weight decay on matrices only, as nanoGPT configures it:
 * 2-D weights (projections, embeddings, the head) decay, biases and LayerNorm parameters do not.
 * Each update runs libtorch's fused Adam kernel through DJL ({@code NDArrayEx.adamUpdate} with
 * decoupled decay), which also zeroes the gradient. Unlike DJL's own {@code AdamW}, the moments are
 * kept by GPT-2 parameter name so a checkpoint can save them and a resumed run continue with
 * exactly the same state.
 */
public final class AdamWOptimizer implements AutoCloseable {
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private int steps;

    public AdamWOptimizer(
            NDManager parent, float beta1, float beta2, float epsilon, float weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
        }
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** Updates every parameter from its gradient with learning rate {@code lr}. */
    public void step(List<NamedParameter> parameters, float lr) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        float biasCorrected = (float) (lr * Math.sqrt(c2) / c1);
        for (NamedParameter p : parameters) {
            NDArray weight = p.parameter().getArray();
            NDArray mean = means.computeIfAbsent(p.name(), k -> state(weight));
            NDArray variance = variances.computeIfAbsent(p.name(), k -> state(weight));
            float decay = p.isMatrix() ? weightDecay : 0f;
            // getGradient() returns a new handle in the parameter's manager each call: close it.
            try (NDArray grad = weight.getGradient()) {
                update(weight, grad, mean, variance, lr, biasCorrected, decay);
            }
        }
    }

    private void update(
            NDArray weight,
            NDArray grad,
            NDArray mean,
            NDArray variance,
            float lr,
            float biasCorrected,
            float decay) {
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, mean, variance),
                        new NDList(weight),
                        lr,
                        biasCorrected,
                        decay,
                        1f, // rescale
                        -1f, // no per-element clipping: the trainer clips the global norm
                        beta1,
                        beta2,
                        epsilon,
                        true,
                        true); // decoupled (AdamW) decay
    }

    private NDArray state(NDArray like) {
        return manager.zeros(like.getShape(), like.getDataType());
    }

    /** Number of updates so far. */
    public int steps() {
        return steps;
    }

    /** The moments by name, {@code m.<name>} and {@code v.<name>}, for a checkpoint. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        means.forEach((k, v) -> out.put("m." + k, v));
        variances.forEach((k, v) -> out.put("v." + k, v));
        return out;
    }

    /** Restores moments saved by {@link #state()} and the step count. */
    public void restore(Map<String, NDArray> state, int steps) {
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            NDArray array = e.getValue();
            array.attach(manager);
            String key = e.getKey();
            if (key.startsWith("m.")) {
                replace(means, key.substring(2), array);
            } else if (key.startsWith("v.")) {
                replace(variances, key.substring(2), array);
            } else {
                throw new IllegalArgumentException("unexpected optimizer state '" + key + "'");
            }
        }
        this.steps = steps;
    }

    private static void replace(Map<String, NDArray> map, String name, NDArray array) {
        NDArray old = map.put(name, array);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
