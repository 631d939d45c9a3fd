package dev.tinygpt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.engine.IntraOpThreads;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cross-entropy of a text under a model, with the model's own tokenizer, as llama.cpp's {@code
 * perplexity} tool and Hugging Face's perplexity guide compute it: the text is scored in {@link
 * StridedWindows}, windows of equal length run as one batch, and each window's logits are computed
 * only from the first position it scores. Each scored token adds {@code −log
 * softmax(logits)[target]} (libtorch's {@code log_softmax}, then a {@code gather} of the targets);
 * the sum is taken in double.
 */
public final class Perplexity {
    /** The default number of windows per batch. */
    public static final int DEFAULT_BATCH = 4;

    /** Told the tokens scored so far, after each batch, and how many there are in all. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {};

        void scored(int done, int total);
    }

    private Perplexity() {}

    /**
     * Scores {@code text}.
     *
     * @param stride the windows' stride, in {@code [1, n_positions − 1]}
     * @param batchSize windows per batch, at least 1
     */
    public static EvalResult evaluate(
            LanguageModel lm, String text, int stride, int batchSize, Progress progress) {
        Tokenizer tokenizer =
                lm.tokenizer()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the model has no tokenizer to read the text with"));
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size must be ≥ 1, got " + batchSize);
        }
        int[] ids = tokenizer.encode(text);
        List<StridedWindows.Window> windows =
                StridedWindows.plan(ids.length, lm.config().contextLength(), stride);
        long start = System.nanoTime();
        double nll = 0;
        int done = 0;
        for (List<StridedWindows.Window> batch : batches(windows, batchSize)) {
            nll += batchNll(lm, ids, batch);
            done += batch.stream().mapToInt(StridedWindows.Window::scored).sum();
            progress.scored(done, ids.length - 1);
        }
        long bytes = tokenizer.decodeBytes(Arrays.copyOfRange(ids, 1, ids.length)).length;
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(
                ids.length, ids.length - 1, nll, bytes, windows.size(), stride, seconds);
    }

    /** Consecutive windows of one length, at most {@code size} at a time. */
    static List<List<StridedWindows.Window>> batches(
            List<StridedWindows.Window> windows, int size) {
        List<List<StridedWindows.Window>> batches = new ArrayList<>();
        List<StridedWindows.Window> current = new ArrayList<>();
        for (StridedWindows.Window w : windows) {
            if (current.size() == size
                    || (!current.isEmpty() && current.get(0).length() != w.length())) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.add(w);
        }
        batches.add(current);
        return batches;
    }

    /** The summed negative log-likelihood of the targets a batch of equal-length windows scores. */
    private static double batchNll(LanguageModel lm, int[] ids, List<StridedWindows.Window> batch) {
        GptConfig config = lm.config();
        int b = batch.size();
        int t = batch.get(0).length();
        // Logits from the first position any window of the batch scores a target from.
        int from = batch.stream().mapToInt(w -> w.scoredFrom() - w.begin() - 1).min().orElseThrow();
        int[][] rows = new int[b][];
        long[] targets = new long[b * (t - from)];
        for (int r = 0; r < b; r++) {
            StridedWindows.Window w = batch.get(r);
            rows[r] = Arrays.copyOfRange(ids, w.begin(), w.end());
            for (int k = 0; k < t - from - 1; k++) {
                targets[r * (t - from) + k] = rows[r][from + k + 1]; // the last position has none
            }
        }
        float[] logProbs;
        IntraOpThreads.useFor(config.stepFlops(b, t, 0));
        try (NDManager m = lm.zooModel().getNDManager().newSubManager()) {
            NDList inputs = StepInput.rows(rows).toArrays(m, config);
            PairList<String, Object> params = new PairList<>();
            params.add(GptModel.LOGITS_FROM, (long) from);
            NDArray logits =
                    lm.block().forward(new ParameterStore(m, false), inputs, false, params).get(0);
            NDArray picks = m.create(targets, new Shape(b, t - from, 1));
            // (B, T-from, V) -> log-probabilities -> (B, T-from, 1), the targets'
            logProbs = logits.logSoftmax(-1).gather(picks, -1).toFloatArray();
        }
        double nll = 0;
        for (int r = 0; r < b; r++) {
            StridedWindows.Window w = batch.get(r);
            for (int k = 0; k < t - from - 1; k++) {
                int target = w.begin() + from + k + 1; // the position the logits at k predict
                if (target >= w.scoredFrom()) {
                    nll -= logProbs[r * (t - from) + k];
                }
            }
        }
        return nll;
    }
}
