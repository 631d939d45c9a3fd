package dev.tinygpt.generation;

import dev.tinygpt.sampling.LogitsProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Beam search over one prompt with the rules of Hugging Face transformers ≥ 4.38 ({@code
 * _beam_search} with {@code BeamSearchScorer} and {@code BeamHypotheses}), in plain Java: a {@link
 * LogitsSource} hands it logits, it hands back which rows go on with which tokens.
 *
 * <p>Each step every running beam's logits become double-precision log-probabilities, the logits
 * processors run on them (HF runs them on the log-softmax scores), the beam's running sum is added,
 * and the best {@code 2N} of the {@code N·V} candidates are walked in order: an EOS (or
 * stop-string) candidate among the first {@code N} finishes a hypothesis, any other candidate
 * becomes a running beam until {@code N} are running. A finished hypothesis scores {@code
 * sum_logprobs / generated_len ** length_penalty}, as HF with {@code decoder_prompt_len}: its
 * generated length counts the EOS token (HF's {@code cur_len = input_ids.shape[-1] + 1}).
 *
 * <p>Ties between equal candidate scores go to the lower flat index {@code beam·V + token} ({@code
 * torch.topk} leaves them unspecified). Step 0 starts, as HF, from {@code N} copies of the prompt
 * scored {@code [0, -1e9, …]}, so a tiny vocabulary fills the beams exactly as HF would. Sums are
 * kept in double where HF keeps float32.
 *
 * <p>Legend: N beams, V vocabulary, P prompt length, L current length of every running beam.
 */
final class BeamSearch {
    /**
     * HF's initial score of the copies of the prompt after the first, which keeps them unchosen.
     */
    private static final double UNCHOSEN = -1e9;

    /** Where the search's logits come from: the model stepping the beams as rows. */
    interface LogitsSource {
        /** The prompt's last logits, {@code [V]}. */
        float[] start(int[] prompt);

        /**
         * New row {@code i} continues old row {@code rows[i]} with {@code tokens[i]}; returns each
         * new row's last logits {@code [rows.length][V]}. The first call's rows are all 0 (the
         * prompt).
         */
        float[][] advance(int[] rows, int[] tokens);
    }

    /**
     * What the search runs under.
     *
     * @param eosTokenId the token that finishes a hypothesis, or -1 for none
     * @param contextLimit the longest sequence the model can still step from ({@code n_positions}
     *     under {@link ContextPolicy#STOP}); a longer one ends the search as {@code CONTEXT_FULL}
     * @param processors run on each beam's log-probabilities, in order
     * @param stopString whether generated ids (the prompt left out) hit a stop string
     */
    record Rules(
            BeamOptions beams,
            int maxNewTokens,
            int eosTokenId,
            int contextLimit,
            List<LogitsProcessor> processors,
            Predicate<int[]> stopString) {

        Rules {
            if (beams == null || processors == null || stopString == null) {
                throw new IllegalArgumentException("beams, processors and stop rule are required");
            }
            if (maxNewTokens < 0 || contextLimit < 1) {
                throw new IllegalArgumentException(
                        "max new tokens must be ≥ 0 and the context limit ≥ 1, got "
                                + maxNewTokens
                                + " and "
                                + contextLimit);
            }
            processors = List.copyOf(processors);
        }
    }

    private final int[] prompt;
    private final Rules rules;
    private final int numBeams;
    private final Hypotheses finished;
    private int[][] beams; // [N][L]: each running beam's tokens, prompt first
    private double[] scores; // [N]: each running beam's sum of log-probabilities
    private boolean first = true;
    private boolean done;

    private BeamSearch(int[] prompt, Rules rules) {
        this.prompt = prompt;
        this.rules = rules;
        this.numBeams = rules.beams().numBeams();
        this.finished = new Hypotheses(rules.beams(), rules.maxNewTokens());
        this.beams = new int[numBeams][];
        this.scores = new double[numBeams];
        for (int b = 0; b < numBeams; b++) {
            beams[b] = prompt;
            scores[b] = b == 0 ? 0 : UNCHOSEN;
        }
    }

    /** Runs the search and returns the best {@code num_return_sequences} hypotheses, best first. */
    static List<SequenceResult> search(
            int promptIndex, int[] prompt, Rules rules, LogitsSource source) {
        BeamSearch search = new BeamSearch(prompt, rules);
        if (rules.maxNewTokens() == 0) {
            // Nothing to generate: the prompt itself, log-probability 0, as often as asked.
            SequenceResult same =
                    new SequenceResult(promptIndex, prompt, prompt.length, FinishReason.LENGTH, 0);
            return Collections.nCopies(rules.beams().numReturnSequences(), same);
        }
        float[][] logits = {source.start(prompt)};
        while (true) {
            int[][] next = search.step(logits); // {rows, tokens}
            if (search.done) {
                break;
            }
            int length = search.beams[0].length;
            if (length - prompt.length >= rules.maxNewTokens()) {
                search.finishRunning(FinishReason.LENGTH);
                break;
            }
            if (length > rules.contextLimit()) {
                search.finishRunning(FinishReason.CONTEXT_FULL);
                break;
            }
            logits = source.advance(next[0], next[1]);
        }
        return search.best(promptIndex);
    }

    /**
     * One step of {@code BeamSearchScorer.process}: walks the best candidates, finishes hypotheses,
     * picks the next beams and checks {@code is_done}. Returns the source's rows and tokens.
     */
    private int[][] step(float[][] logits) {
        int vocab = logits[0].length;
        int generated = beams[0].length + 1 - prompt.length; // HF: cur_len - decoder_prompt_len
        double[] flat = candidateScores(logits);
        int[][] next = new int[numBeams][];
        int[] rows = new int[numBeams];
        double[] kept = new double[numBeams];
        int running = 0;
        int[] order = top(flat, Math.min(2 * numBeams, flat.length));
        for (int rank = 0; running < numBeams; rank++) {
            if (rank == order.length) {
                if (order.length == flat.length) {
                    break; // every candidate ends a sequence (stop strings): fewer beams go on
                }
                // Only stop strings get here (HF: at most N of 2N candidates are EOS).
                order = top(flat, Math.min(2 * order.length, flat.length));
            }
            if (flat[order[rank]] == Double.NEGATIVE_INFINITY) {
                break; // every candidate left is banned (the n-gram ban): fewer beams go on
            }
            int b = order[rank] / vocab;
            int[] sequence = append(beams[b], order[rank] % vocab);
            FinishReason end = ending(sequence);
            if (end == null) {
                next[running] = sequence;
                rows[running] = b;
                kept[running++] = flat[order[rank]];
            } else if (rank < numBeams) {
                // HF: a finishing candidate below the top N is dropped, not kept for later.
                finished.add(sequence, flat[order[rank]], generated, end);
            }
        }
        if (running == 0 && finished.isEmpty()) {
            // Nothing may follow any beam: they end as they are, as HF stops with no token left.
            for (int b = 0; b < beams.length; b++) {
                finished.add(
                        beams[b],
                        scores[b],
                        Math.max(1, generated - 1),
                        FinishReason.NO_ALLOWED_TOKEN);
            }
        }
        done = finished.isDone(flat[order[0]], generated) || running == 0;
        int[] tokens = new int[running];
        for (int i = 0; i < running; i++) {
            tokens[i] = next[i][next[i].length - 1];
        }
        int[] modelRows = first ? new int[running] : Arrays.copyOf(rows, running);
        beams = Arrays.copyOf(next, running);
        scores = Arrays.copyOf(kept, running);
        first = false;
        return new int[][] {modelRows, tokens};
    }

    /**
     * Every beam's log-probabilities plus its sum, flat {@code [n·V]}: b's t at {@code b·V + t}.
     */
    private double[] candidateScores(float[][] logits) {
        int vocab = logits[0].length;
        double[] flat = new double[beams.length * vocab];
        double[] logProbs = null;
        for (int b = 0; b < beams.length; b++) {
            if (!first || b == 0) { // at step 0 every beam is the prompt: one row serves all
                logProbs = logProbs(logits[first ? 0 : b], beams[b]);
            }
            for (int t = 0; t < vocab; t++) {
                flat[b * vocab + t] = logProbs[t] + scores[b];
            }
        }
        return flat;
    }

    /** Why the candidate sequence would end now, or null if it runs on. */
    private FinishReason ending(int[] sequence) {
        int token = sequence[sequence.length - 1];
        if (token == rules.eosTokenId()) {
            return FinishReason.EOS;
        }
        int[] generated = Arrays.copyOfRange(sequence, prompt.length, sequence.length);
        return rules.stopString().test(generated) ? FinishReason.STOP : null;
    }

    /**
     * {@code log_softmax} in double precision, then the processors. They speak {@code float[]}, so
     * they run on a float copy and only the entries they rewrite take their float value (HF's own
     * precision); the rest keep their double value.
     */
    private double[] logProbs(float[] logits, int[] sequence) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        double logSum = Math.log(sum);
        double[] out = new double[logits.length];
        for (int t = 0; t < logits.length; t++) {
            out[t] = logits[t] - max - logSum;
        }
        if (rules.processors().isEmpty()) {
            return out;
        }
        float[] before = new float[out.length];
        for (int t = 0; t < out.length; t++) {
            before[t] = (float) out[t];
        }
        float[] after = before.clone();
        for (LogitsProcessor processor : rules.processors()) {
            processor.process(sequence, sequence.length, after);
        }
        for (int t = 0; t < out.length; t++) {
            if (Float.floatToIntBits(after[t]) != Float.floatToIntBits(before[t])) {
                out[t] = after[t];
            }
        }
        return out;
    }

    /** HF's {@code finalize}: a prompt that is not done adds every running beam as it stands. */
    private void finishRunning(FinishReason reason) {
        for (int b = 0; b < beams.length; b++) {
            finished.add(beams[b], scores[b], beams[b].length - prompt.length, reason);
        }
    }

    /** The best {@code num_return_sequences}, best first, as HF's sort-then-pop. */
    private List<SequenceResult> best(int promptIndex) {
        List<Hypothesis> sorted = new ArrayList<>(finished.list);
        sorted.sort(Comparator.comparingDouble(Hypothesis::score)); // stable, as Python's sorted
        int count = Math.min(rules.beams().numReturnSequences(), sorted.size());
        List<SequenceResult> out = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            Hypothesis h = sorted.get(sorted.size() - 1 - j); // pop(): among equals the latest
            out.add(new SequenceResult(promptIndex, h.tokens, prompt.length, h.reason, h.score));
        }
        return out;
    }

    /**
     * Indices of the {@code k} largest values, largest first; equal values in increasing index
     * order.
     */
    static int[] top(double[] values, int k) {
        if (8L * k >= values.length) {
            return IntStream.range(0, values.length)
                    .boxed()
                    .sorted((i, j) -> Double.compare(values[j], values[i])) // stable: index order
                    .limit(k)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        int[] index = new int[k];
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            if (count == k && !(x > values[index[k - 1]])) {
                continue; // not better than the worst kept, which has a lower index
            }
            int j = count == k ? k - 1 : count++;
            while (j > 0 && x > values[index[j - 1]]) {
                index[j] = index[j - 1];
                j--;
            }
            index[j] = i;
        }
        return index;
    }

    private static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }

    private record Hypothesis(int[] tokens, double score, FinishReason reason) {}

    /** HF's {@code BeamHypotheses}: the best N finished sequences of one prompt. */
    private static final class Hypotheses {
        private final int numBeams;
        private final double lengthPenalty;
        private final BeamOptions.EarlyStopping earlyStopping;
        private final int maxNewTokens;
        private final List<Hypothesis> list = new ArrayList<>(); // insertion order, as HF's beams
        private double worstScore = 1e9; // HF's initial value

        Hypotheses(BeamOptions options, int maxNewTokens) {
            this.numBeams = options.numBeams();
            // The float's decimal value, as HF reads length_penalty=0.8 into a Python float.
            this.lengthPenalty = Double.parseDouble(Float.toString(options.lengthPenalty()));
            this.earlyStopping = options.earlyStopping();
            this.maxNewTokens = maxNewTokens;
        }

        void add(int[] tokens, double sumLogProbs, int generatedLength, FinishReason reason) {
            double score = sumLogProbs / Math.pow(generatedLength, lengthPenalty);
            if (list.size() < numBeams || score > worstScore) {
                list.add(new Hypothesis(tokens, score, reason));
                if (list.size() > numBeams) {
                    // HF sorts (score, index) pairs and drops the first: lowest, earliest.
                    int drop = 0;
                    for (int i = 1; i < list.size(); i++) {
                        if (list.get(i).score < list.get(drop).score) {
                            drop = i;
                        }
                    }
                    list.remove(drop);
                    worstScore = list.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
                } else {
                    worstScore = Math.min(score, worstScore);
                }
            }
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        /**
         * HF's {@code is_done}, given the best candidate sum of this step and the generated length
         * after it.
         */
        boolean isDone(double bestSumLogProbs, int generatedLength) {
            if (list.size() < numBeams) {
                return false;
            }
            // TRUE: N finished are enough. FALSE, HF's heuristic: the best candidate sum at the
            // current length. NEVER: the best score a running beam can still reach, at the
            // longest possible length when the penalty is positive.
            int length =
                    earlyStopping == BeamOptions.EarlyStopping.NEVER && lengthPenalty > 0
                            ? maxNewTokens
                            : generatedLength;
            return earlyStopping == BeamOptions.EarlyStopping.TRUE
                    || worstScore >= bestSumLogProbs / Math.pow(length, lengthPenalty);
        }
    }
}
