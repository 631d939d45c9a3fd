package dev.tinygpt.generation;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.Sampler;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The next-token loop: logits of the last position → logits processors → sampler (greedy or seeded
 * categorical) → append → stop rules → repeat, for one prompt or a batch.
 *
 * <p>Batches are left-padded with an attention mask and per-row positions ({@link BatchSession});
 * each row samples with its own {@link Random} (seed + row index), checks its own stop rules and
 * leaves the batch when it finishes, so one row's EOS never stops the others and a row gives the
 * tokens it would give alone. With the KV cache the prompts are prefilled in one step and then fed
 * one token per step; without it the windows are recomputed every step. Past {@code n_positions}
 * both follow the same {@link ContextPolicy}. Beam search is {@link BeamSearch}.
 */
public final class Generator {
    private Generator() {}

    /** Generates from one prompt (the best beam with beam search). */
    public static GenerationResult generate(
            InferenceSession session, int[] prompt, GenerationOptions options) {
        BatchResult batch = generate(session, List.of(prompt), options, null, TokenListener.NONE);
        SequenceResult s = batch.sequences().get(0);
        return new GenerationResult(
                s.tokens(),
                s.promptTokens(),
                s.finishReason(),
                batch.prefillMillis(),
                batch.decodeTokensPerSecond(),
                batch.totalMillis());
    }

    /**
     * Generates for a batch of prompts.
     *
     * @param tokenizer needed for stop strings and streamed text; may be null otherwise
     * @param listener receives every token as it is produced
     * @throws IllegalArgumentException for an empty prompt, an id outside the vocabulary, a prompt
     *     longer than the context under {@code STOP}, or stop strings without a tokenizer
     */
    public static BatchResult generate(
            InferenceSession session,
            List<int[]> prompts,
            GenerationOptions options,
            Tokenizer tokenizer,
            TokenListener listener) {
        GptConfig config = session.config();
        checkPrompts(prompts, config, options);
        if (!options.stopStrings().isEmpty() && tokenizer == null) {
            throw new IllegalArgumentException("stop strings need the model's tokenizer");
        }
        if (options.beams().enabled()) {
            return BeamSearch.run(session, prompts, options, tokenizer);
        }
        return new SamplingRun(session, prompts, options, tokenizer, listener).run();
    }

    /** The state of one sampled (or greedy) batched generation. */
    private static final class SamplingRun {
        private final GptConfig config;
        private final List<int[]> prompts;
        private final GenerationOptions options;
        private final Tokenizer tokenizer;
        private final TokenListener listener;
        private final BatchSession batch;
        private final Sampler sampler;
        private final Random[] random; // per prompt
        private final StreamingDecoder[] decoders; // per prompt, when text is needed
        private final SequenceResult[] results; // per prompt, set when it finishes
        private int[] active; // batch row -> prompt index

        SamplingRun(
                InferenceSession session,
                List<int[]> prompts,
                GenerationOptions options,
                Tokenizer tokenizer,
                TokenListener listener) {
            this.config = session.config();
            this.prompts = prompts;
            this.options = options;
            this.tokenizer = tokenizer;
            this.listener = listener;
            this.batch = new BatchSession(session, options.useKvCache(), keep(config, options));
            this.sampler = new Sampler(options.sampling());
            int b = prompts.size();
            this.random = new Random[b];
            this.decoders = new StreamingDecoder[b];
            this.results = new SequenceResult[b];
            this.active = new int[b];
            for (int p = 0; p < b; p++) {
                random[p] = new Random(options.sampling().seed() + p);
                active[p] = p;
                if (tokenizer != null) {
                    decoders[p] = new StreamingDecoder(tokenizer, prompts.get(p));
                }
            }
        }

        BatchResult run() {
            long begin = System.nanoTime();
            if (options.maxNewTokens() == 0) {
                for (int p = 0; p < prompts.size(); p++) {
                    finish(p, prompts.get(p), prompts.get(p).length, FinishReason.LENGTH);
                }
                return new BatchResult(List.of(results), 0, Double.NaN, 0);
            }
            long capacity =
                    prompts.stream().mapToInt(p -> p.length).max().orElse(0)
                            + (long) options.maxNewTokens();
            float[][] logits = batch.start(prompts, capacity);
            long prefillNanos = System.nanoTime() - begin;
            long decodeNanos = 0;
            long decodeTokens = 0;
            boolean first = true;
            while (true) {
                int rows = batch.rows();
                int[] next = new int[rows];
                for (int r = 0; r < rows; r++) {
                    next[r] =
                            sampler.next(
                                    batch.tokens(r), batch.length(r), logits[r], random[active[r]]);
                }
                if (!first) {
                    decodeTokens += rows;
                }
                first = false;
                batch.append(next);
                if (!retireFinished(next)) {
                    break;
                }
                long start = System.nanoTime();
                logits = batch.step();
                decodeNanos += System.nanoTime() - start;
            }
            double totalMillis = (System.nanoTime() - begin) / 1e6;
            double rate = decodeNanos > 0 ? decodeTokens / (decodeNanos / 1e9) : Double.NaN;
            return new BatchResult(List.of(results), prefillNanos / 1e6, rate, totalMillis);
        }

        /**
         * Streams the new tokens, applies the stop rules and drops finished rows from the batch.
         * Returns whether any row goes on.
         */
        private boolean retireFinished(int[] next) {
            List<Integer> keep = new ArrayList<>(active.length);
            for (int r = 0; r < active.length; r++) {
                int p = active[r];
                int[] tokens = batch.tokens(r);
                int length = batch.length(r);
                String text = decoders[p] == null ? "" : decoders[p].next(tokens, length);
                listener.onToken(p, next[r], text);
                FinishReason reason = stopReason(p, r, next[r], tokens, length);
                if (reason == null) {
                    keep.add(r);
                } else {
                    finish(p, tokens, length, reason);
                }
            }
            if (keep.isEmpty()) {
                return false;
            }
            if (keep.size() < active.length) {
                int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
                int[] stillActive = new int[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    stillActive[i] = active[rows[i]];
                }
                batch.reorder(rows);
                active = stillActive;
            }
            return true;
        }

        private FinishReason stopReason(int p, int r, int token, int[] tokens, int length) {
            if (options.stopAtEos() && config.hasEos() && token == config.eosTokenId()) {
                return FinishReason.EOS;
            }
            if (!options.stopStrings().isEmpty() && hitsStopString(p, tokens, length)) {
                return FinishReason.STOP;
            }
            if (length - prompts.get(p).length >= options.maxNewTokens()) {
                return FinishReason.LENGTH;
            }
            if (options.contextPolicy() == ContextPolicy.STOP && batch.overflowing(r)) {
                return FinishReason.CONTEXT_FULL;
            }
            return null;
        }

        private boolean hitsStopString(int p, int[] tokens, int length) {
            int promptLength = prompts.get(p).length;
            String generated = tokenizer.decode(Arrays.copyOfRange(tokens, promptLength, length));
            for (String stop : options.stopStrings()) {
                if (generated.contains(stop)) {
                    return true;
                }
            }
            return false;
        }

        private void finish(int p, int[] tokens, int length, FinishReason reason) {
            results[p] =
                    new SequenceResult(
                            p,
                            Arrays.copyOf(tokens, length),
                            prompts.get(p).length,
                            reason,
                            Double.NaN);
        }
    }

    /** Tokens a window keeps when it slides: n_positions - shift (STOP never slides). */
    static int keep(GptConfig config, GenerationOptions options) {
        int n = config.contextLength();
        return options.contextPolicy() == ContextPolicy.SHIFT ? n - options.shiftFor(n) : n;
    }

    static void checkPrompts(List<int[]> prompts, GptConfig config, GenerationOptions options) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to generate from");
        }
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("empty prompt: give at least one token");
            }
            for (int i = 0; i < prompt.length; i++) {
                if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                    throw new IllegalArgumentException(
                            "prompt token id "
                                    + prompt[i]
                                    + " at index "
                                    + i
                                    + " is out of range: the vocabulary has ids 0.."
                                    + (config.vocabSize() - 1));
                }
            }
            if (options.contextPolicy() == ContextPolicy.STOP
                    && prompt.length > config.contextLength()) {
                throw new IllegalArgumentException(
                        "prompt has "
                                + prompt.length
                                + " tokens but the context holds "
                                + config.contextLength()
                                + "; use the shift policy to keep its end");
            }
        }
    }
}
