package dev.tinygpt.generation;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.profile.Profile;
import dev.tinygpt.sampling.Sampler;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepOutput;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * The next-token loop: logits of the last position → logits processors → sampler (greedy or seeded
 * categorical) → append → stop rules → repeat, for one prompt or a batch.
 *
 * <p>Batches are left-padded with an attention mask and per-row positions ({@link BatchSession});
 * each row samples with its own {@link Random} (seed + row index), checks its own stop rules and
 * leaves the batch when it finishes, so one row's EOS never stops the others and a row gives the
 * tokens it would give alone. With the KV cache the prompts are prefilled in one step and then fed
 * one token per step; without it the windows are recomputed every step. Past {@code n_positions}
 * both follow the same {@link ContextPolicy}. Beam search is {@link BeamGeneration}.
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
            return BeamGeneration.run(session, prompts, options, tokenizer);
        }
        return new SamplingRun(session, prompts, options, tokenizer, listener).run();
    }

    /** The state of one sampled (or greedy) batched generation. */
    private static final class SamplingRun {
        private final List<int[]> prompts;
        private final GenerationOptions options;
        private final int eos; // -1: none
        private final TokenListener listener;
        private final BatchSession batch;
        private final Sampler sampler;
        private final Random[] random; // per prompt
        private final StreamingDecoder[] decoders; // per prompt, when text is needed
        private final StopMatcher[] stops; // per prompt, when there are stop strings
        private final SequenceResult[] results; // per prompt, set when it finishes
        private int[] active; // batch row -> prompt index

        SamplingRun(
                InferenceSession session,
                List<int[]> prompts,
                GenerationOptions options,
                Tokenizer tokenizer,
                TokenListener listener) {
            this.prompts = prompts;
            this.options = options;
            this.eos = options.eosTokenId(session.config());
            this.listener = listener;
            this.batch = new BatchSession(session, options);
            this.sampler = new Sampler(options.sampling());
            int b = prompts.size();
            this.random = new Random[b];
            this.decoders = new StreamingDecoder[b];
            this.stops = new StopMatcher[b];
            this.results = new SequenceResult[b];
            this.active = new int[b];
            for (int p = 0; p < b; p++) {
                random[p] = new Random(options.sampling().seed() + p);
                active[p] = p;
                if (tokenizer != null) {
                    decoders[p] = new StreamingDecoder(tokenizer, prompts.get(p));
                }
                if (!options.stopStrings().isEmpty()) {
                    stops[p] = new StopMatcher(options.stopStrings());
                }
            }
        }

        BatchResult run() {
            long begin = System.nanoTime();
            if (options.maxNewTokens() == 0) {
                for (int p = 0; p < prompts.size(); p++) {
                    finish(p, prompts.get(p), prompts.get(p).length, FinishReason.LENGTH);
                }
                return BatchResult.timed(List.of(results), 0, 0, 0, 0);
            }
            StepOutput logits = batch.start(prompts);
            long prefillNanos = System.nanoTime() - begin;
            // Decode: every step after the prefill with its sampling, streaming and stop rules,
            // what the user waits for per token; the first token comes from the prefill.
            long decodeStart = 0;
            long decodeTokens = 0;
            while (true) {
                int[] sampled = sample(logits);
                int[] next =
                        Arrays.stream(retire(r -> exhausted(sampled[r])))
                                .map(r -> sampled[r])
                                .toArray();
                if (next.length == 0) {
                    break;
                }
                decodeTokens += decodeStart != 0 ? next.length : 0;
                batch.append(next);
                if (retire(r -> emit(r, next[r])).length == 0) {
                    break;
                }
                decodeStart = decodeStart == 0 ? System.nanoTime() : decodeStart;
                logits = batch.step();
            }
            long end = System.nanoTime();
            long decodeNanos = decodeStart != 0 ? end - decodeStart : 0;
            return BatchResult.timed(
                    List.of(results), prefillNanos, decodeTokens, decodeNanos, end - begin);
        }

        /**
         * One token per row from its logits (read in place from the step's output), with the row's
         * own random source.
         */
        private int[] sample(StepOutput logits) {
            try (Profile.Section s = Profile.section(Profile.Kind.SAMPLING)) {
                int[] next = new int[batch.rows()];
                for (int r = 0; r < next.length; r++) {
                    next[r] =
                            sampler.next(
                                    batch.tokens(r),
                                    batch.length(r),
                                    logits.logits(),
                                    logits.offset(r, logits.positions() - 1),
                                    logits.vocabSize(),
                                    random[active[r]]);
                }
                return next;
            }
        }

        /**
         * Finishes the rows {@code reason} names a finish reason for and drops them from the batch.
         * Returns the rows that go on as they were numbered before (the batch is left as it is when
         * none does).
         */
        private int[] retire(IntFunction<FinishReason> reason) {
            int[] keep = new int[active.length];
            int kept = 0;
            for (int r = 0; r < active.length; r++) {
                FinishReason end = reason.apply(r);
                if (end == null) {
                    keep[kept++] = r;
                } else {
                    finish(active[r], batch.tokens(r), batch.length(r), end);
                }
            }
            keep = Arrays.copyOf(keep, kept);
            if (kept > 0 && kept < active.length) {
                int[] stillActive = new int[kept];
                for (int i = 0; i < kept; i++) {
                    stillActive[i] = active[keep[i]];
                }
                batch.reorder(keep);
                active = stillActive;
            }
            return keep;
        }

        /** A row ends as it is when the processors left it no token ({@link Sampler#NONE}). */
        private static FinishReason exhausted(int sampled) {
            return sampled == Sampler.NONE ? FinishReason.NO_ALLOWED_TOKEN : null;
        }

        /**
         * Streams row {@code r}'s new {@code token} and returns why the row ends with it, or null
         * if it goes on.
         */
        private FinishReason emit(int r, int token) {
            int p = active[r];
            int length = batch.length(r);
            String text = streamed(p, batch.tokens(r), length);
            listener.onToken(p, token, text);
            try (Profile.Section s = Profile.section(Profile.Kind.STOP_RULES)) {
                if (token == eos) {
                    return FinishReason.EOS;
                }
                if (stops[p] != null && stops[p].add(text).stopped()) {
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
        }

        /** The text the row's newest token adds, for the listener ("" without a tokenizer). */
        private String streamed(int p, int[] tokens, int length) {
            if (decoders[p] == null) {
                return "";
            }
            try (Profile.Section s = Profile.section(Profile.Kind.STREAMING)) {
                return decoders[p].next(tokens, length);
            }
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

    private static void checkPrompts(
            List<int[]> prompts, GptConfig config, GenerationOptions options) {
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
