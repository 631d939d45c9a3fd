package dev.tinygpt.reference;

import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * GPT-2's forward pass written out in plain Java, the independent reference the DJL model is tested
 * against. It follows the GPT-2 definition (Radford et al. 2019; HF {@code modeling_gpt2}, nanoGPT
 * {@code model.py}), not tinygpt's blocks: no NDArray, no cache, no batch; weights are read from
 * {@code float[]} and every sum is taken in double.
 *
 * <p>Weights come by GPT-2 checkpoint name, row-major: Conv1D weights {@code [in, out]} (y = x·W +
 * b), {@code lm_head.weight} {@code [V, C]} (logits = x·Wᵀ), or {@code wte.weight} as the head when
 * tied. Legend: T positions, C = n_embd, nh heads of width hs = C/nh, H = n_inner, V = vocab_size.
 */
final class ReferenceGpt {
    private final GptConfig config;
    private final Map<String, float[]> weights;

    /**
     * @param weights every tensor the config implies, by GPT-2 name; nothing more
     */
    ReferenceGpt(GptConfig config, Map<String, float[]> weights) {
        Map<String, Integer> expected = expectedSizes(config);
        TreeSet<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("unexpected tensors " + extra);
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            float[] w = weights.get(e.getKey());
            if (w == null || w.length != e.getValue()) {
                throw new IllegalArgumentException(
                        "tensor "
                                + e.getKey()
                                + " needs "
                                + e.getValue()
                                + " values, got "
                                + (w == null ? "none" : w.length));
            }
        }
        this.config = config;
        this.weights = Map.copyOf(weights);
    }

    /** Logits at every position of {@code ids}, placed at positions 0…T-1: (T, V). */
    double[][] logits(int[] ids) {
        int c = config.dModel();
        if (ids.length == 0 || ids.length > config.contextLength()) {
            throw new IllegalArgumentException("need 1…n_positions ids, got " + ids.length);
        }
        float[] wte = weights.get("wte.weight"); // (V, C)
        float[] wpe = weights.get("wpe.weight"); // (n_positions, C)
        double[][] x = new double[ids.length][c]; // (T, C)
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < c; i++) {
                x[t][i] = wte[ids[t] * c + i] + (double) wpe[t * c + i];
            }
        }
        for (int layer = 0; layer < config.layers(); layer++) {
            String h = "h." + layer;
            // Pre-norm residual block (GPT-2 §2.3): x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)).
            x = add(x, attention(layerNorm(x, h + ".ln_1"), h + ".attn"));
            x = add(x, mlp(layerNorm(x, h + ".ln_2"), h + ".mlp"));
        }
        x = layerNorm(x, "ln_f");
        String head = config.tiedHead() ? "wte.weight" : "lm_head.weight";
        return matMulTransposed(x, weights.get(head), config.vocabSize()); // (T, C) -> (T, V)
    }

    /** Logits of the last position: (V). */
    double[] lastLogits(int[] ids) {
        double[][] all = logits(ids);
        return all[all.length - 1];
    }

    /** Causal multi-head self-attention on (T, C): c_attn, per-head softmax(q·kᵀ/√hs)·v, c_proj. */
    private double[][] attention(double[][] x, String prefix) {
        int c = config.dModel();
        int hs = config.headDim();
        int tLen = x.length;
        // (T, C) -> (T, 3C): columns [0, C) are q, [C, 2C) k, [2C, 3C) v; head h is hs columns
        double[][] qkv = conv1d(x, prefix + ".c_attn", c, 3 * c);
        double[][] y = new double[tLen][c]; // (T, C), heads side by side
        // scale_attn_weights = false (HF) leaves the scores unscaled.
        double scale = config.scaleAttnWeights() ? 1 / Math.sqrt(hs) : 1;
        for (int h = 0; h < config.heads(); h++) {
            int q0 = h * hs;
            int k0 = c + h * hs;
            int v0 = 2 * c + h * hs;
            for (int t = 0; t < tLen; t++) {
                double[] p = new double[t + 1]; // causal: query t sees keys 0…t
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int d = 0; d < hs; d++) {
                        dot += qkv[t][q0 + d] * qkv[s][k0 + d];
                    }
                    p[s] = dot * scale;
                }
                softmaxInPlace(p);
                for (int s = 0; s <= t; s++) {
                    for (int d = 0; d < hs; d++) {
                        y[t][q0 + d] += p[s] * qkv[s][v0 + d];
                    }
                }
            }
        }
        return conv1d(y, prefix + ".c_proj", c, c); // (T, C) -> (T, C)
    }

    /** The position-wise MLP: c_proj(act(c_fc(x))), (T, C) -> (T, H) -> (T, C). */
    private double[][] mlp(double[][] x, String prefix) {
        double[][] hidden = conv1d(x, prefix + ".c_fc", config.dModel(), config.mlpHidden());
        for (double[] row : hidden) {
            for (int j = 0; j < row.length; j++) {
                row[j] = activation(config.activation(), row[j]);
            }
        }
        return conv1d(hidden, prefix + ".c_proj", config.mlpHidden(), config.dModel());
    }

    private double[][] layerNorm(double[][] x, String prefix) {
        float[] gamma = weights.get(prefix + ".weight");
        float[] beta = weights.get(prefix + ".bias");
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            y[t] = layerNorm(x[t], gamma, beta, config.layerNormEpsilon());
        }
        return y;
    }

    /** GPT-2's Conv1D: y = x·W + b with W stored (in, out). (T, in) -> (T, out). */
    private double[][] conv1d(double[][] x, String prefix, int in, int out) {
        float[] w = weights.get(prefix + ".weight");
        float[] b = weights.get(prefix + ".bias");
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < out; j++) {
                double sum = b[j];
                for (int i = 0; i < in; i++) {
                    sum += x[t][i] * w[i * out + j];
                }
                y[t][j] = sum;
            }
        }
        return y;
    }

    /** y = x·Wᵀ with W stored (out, in), as nn.Linear and a tied embedding. */
    private static double[][] matMulTransposed(double[][] x, float[] w, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < out; j++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += x[t][i] * w[j * in + i];
                }
                y[t][j] = sum;
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }

    /** LayerNorm of one vector, with the biased variance (divide by n) as PyTorch and GPT-2. */
    static double[] layerNorm(double[] x, float[] gamma, float[] beta, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean);
        }
        variance /= x.length;
        double inv = 1 / Math.sqrt(variance + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) * inv * gamma[i] + beta[i];
        }
        return y;
    }

    /** Softmax in place, shifted by the maximum so exp never overflows. */
    static void softmaxInPlace(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) {
            x[i] /= sum;
        }
    }

    static double activation(Activation activation, double x) {
        return switch (activation) {
            case RELU -> Math.max(0, x);
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2))); // x·Φ(x), exact
                // GPT-2's tanh approximation (Hendrycks & Gimpel 2016, §2; HF NewGELU).
            case GELU_NEW ->
                    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        };
    }

    /**
     * The error function to about 1e-15 (see the erf test). For |x| < 6 the series erf(x) =
     * 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6): its terms are all
     * positive, so nothing cancels. Beyond 6, 1 − |erf(x)| < 3e-17 and ±1 is exact in double.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.signum(x);
        }
        double term = a;
        double sum = a;
        for (int n = 1; term > sum * 1e-17; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum, x);
    }

    /** Every GPT-2 tensor name the config implies, with its number of values. */
    static Map<String, Integer> expectedSizes(GptConfig config) {
        int v = config.vocabSize();
        int c = config.dModel();
        int hidden = config.mlpHidden();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("wte.weight", v * c);
        sizes.put("wpe.weight", config.contextLength() * c);
        List<String> norms = new ArrayList<>(List.of("ln_f"));
        for (int i = 0; i < config.layers(); i++) {
            String h = "h." + i;
            norms.add(h + ".ln_1");
            norms.add(h + ".ln_2");
            sizes.put(h + ".attn.c_attn.weight", c * 3 * c);
            sizes.put(h + ".attn.c_attn.bias", 3 * c);
            sizes.put(h + ".attn.c_proj.weight", c * c);
            sizes.put(h + ".attn.c_proj.bias", c);
            sizes.put(h + ".mlp.c_fc.weight", c * hidden);
            sizes.put(h + ".mlp.c_fc.bias", hidden);
            sizes.put(h + ".mlp.c_proj.weight", hidden * c);
            sizes.put(h + ".mlp.c_proj.bias", c);
        }
        for (String norm : norms) {
            sizes.put(norm + ".weight", c);
            sizes.put(norm + ".bias", c);
        }
        if (!config.tiedHead()) {
            sizes.put("lm_head.weight", v * c);
        }
        return sizes;
    }
}
