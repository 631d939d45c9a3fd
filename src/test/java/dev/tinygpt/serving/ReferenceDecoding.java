package dev.tinygpt.serving;

import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import java.util.Arrays;

/**
 * Plain-Java references for the serving tests: greedy decoding of one sequence alone with vLLM's
 * penalties written out from their definitions, and log-softmax in double.
 */
final class ReferenceDecoding {
    private ReferenceDecoding() {}

    /**
     * Greedy decoding of {@code prompt} alone, each step's logits penalised as vLLM does: the
     * repetition penalty over prompt and completion (a positive logit divided by it, a negative one
     * multiplied), then {@code frequency × count + presence} subtracted for every token the
     * completion holds, and {@code eos} banned until {@code min_tokens}. Ends at {@code eos} (kept)
     * or {@code max_tokens}.
     */
    static int[] penalized(LanguageModel lm, int[] prompt, CompletionSettings s, int eos) {
        int[] out = new int[s.maxTokens()];
        try (InferenceSession session = lm.newSession()) {
            float[] logits = session.prefill(prompt);
            for (int t = 0; t < s.maxTokens(); t++) {
                double[] x = new double[logits.length];
                for (int v = 0; v < x.length; v++) {
                    x[v] = logits[v];
                }
                penalize(x, prompt, Arrays.copyOf(out, t), s, eos);
                out[t] = rank(x, 0);
                if (out[t] == eos) {
                    return Arrays.copyOf(out, t + 1);
                }
                if (t + 1 < s.maxTokens()) {
                    logits = session.append(out[t]);
                }
            }
        }
        return out;
    }

    /**
     * vLLM's penalties on one row of logits, in place: the repetition penalty over the prompt and
     * the completion so far, then frequency and presence over the completion, and {@code eos} (if ≥
     * 0) banned while the completion is shorter than {@code min_tokens}.
     */
    static void penalize(
            double[] x, int[] prompt, int[] completion, CompletionSettings s, int eos) {
        boolean[] seen = new boolean[x.length];
        int[] counts = new int[x.length];
        for (int id : prompt) {
            seen[id] = true;
        }
        for (int id : completion) {
            seen[id] = true;
            counts[id]++;
        }
        for (int v = 0; v < x.length; v++) {
            if (seen[v]) {
                x[v] = x[v] > 0 ? x[v] / s.repetitionPenalty() : x[v] * s.repetitionPenalty();
            }
            x[v] -= s.frequencyPenalty() * counts[v];
            x[v] -= counts[v] > 0 ? s.presencePenalty() : 0;
        }
        if (eos >= 0 && completion.length < s.minTokens()) {
            x[eos] = Double.NEGATIVE_INFINITY;
        }
    }

    /** {@code log softmax(logits)} in double. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits[i] - log;
        }
        return out;
    }

    /** The id of the {@code k}-th largest value (0: the largest), the lower id first on ties. */
    static int rank(double[] values, int k) {
        Integer[] ids = new Integer[values.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Arrays.sort(
                ids,
                (a, b) -> values[a] != values[b] ? Double.compare(values[b], values[a]) : a - b);
        return ids[k];
    }
}
