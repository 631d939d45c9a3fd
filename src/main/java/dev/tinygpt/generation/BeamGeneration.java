package dev.tinygpt.generation;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.LogitsProcessors;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Beam search as Hugging Face's {@code generate(num_beams=N)}: {@link BeamSearch} keeps the beams
 * and hypotheses, a {@link BatchSession} of N rows steps the model (KV cache rows reordered to
 * follow the beams, sliding windows as in sampling). Prompts are searched one after another, each
 * in its own batch, and their {@code num_return_sequences} results concatenated in prompt order.
 *
 * <p>The search is deterministic (HF's {@code beam_sample} is not implemented, so {@link
 * GenerationOptions} refuses beams with a sampling temperature); the repetition penalty and the
 * n-gram ban apply, to the log-probabilities, as in HF. Deviation: a beam whose generated text
 * contains a stop string finishes like one that produced EOS (keeping its last token), where HF's
 * {@code StopStringCriteria} only stops the search once every beam contains one.
 */
final class BeamGeneration {
    private BeamGeneration() {}

    static BatchResult run(
            InferenceSession session,
            List<int[]> prompts,
            GenerationOptions options,
            Tokenizer tokenizer) {
        GptConfig config = session.config();
        int numBeams = options.beams().numBeams();
        if (numBeams > config.vocabSize()) {
            throw new IllegalArgumentException(
                    "num_beams ("
                            + numBeams
                            + ") must not exceed the vocabulary size ("
                            + config.vocabSize()
                            + ")");
        }
        BeamSearch.Rules rules = rules(config, options, tokenizer);
        long begin = System.nanoTime();
        BeamBatch beams = new BeamBatch(new BatchSession(session, options));
        List<SequenceResult> sequences = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            sequences.addAll(BeamSearch.search(p, prompts.get(p), rules, beams));
        }
        return BatchResult.timed(
                sequences,
                beams.prefillNanos,
                beams.decodeTokens,
                beams.decodeNanos,
                System.nanoTime() - begin);
    }

    static BeamSearch.Rules rules(
            GptConfig config, GenerationOptions options, Tokenizer tokenizer) {
        int contextLimit =
                options.contextPolicy() == ContextPolicy.STOP
                        ? config.contextLength()
                        : Integer.MAX_VALUE;
        return new BeamSearch.Rules(
                options.beams(),
                options.maxNewTokens(),
                options.eosTokenId(config),
                contextLimit,
                // Greedy (beams that sample are refused), so only the processors, as HF's search.
                LogitsProcessors.of(options.sampling()),
                stopRule(options.stopStrings(), tokenizer));
    }

    private static Predicate<int[]> stopRule(List<String> stops, Tokenizer tokenizer) {
        if (stops.isEmpty()) {
            return generated -> false;
        }
        return generated -> {
            String text = tokenizer.decode(generated);
            return stops.stream().anyMatch(text::contains);
        };
    }

    /** The beams of one prompt at a time as the rows of a batch, timing its steps. */
    private static final class BeamBatch implements BeamSearch.LogitsSource {
        private final BatchSession batch;
        long prefillNanos;
        long decodeNanos;
        long decodeTokens;

        BeamBatch(BatchSession batch) {
            this.batch = batch;
        }

        @Override
        public float[] start(int[] prompt) {
            long start = System.nanoTime();
            float[] logits = batch.start(List.of(prompt)).lastOfEachRow()[0]; // [V]
            prefillNanos += System.nanoTime() - start;
            return logits;
        }

        @Override
        public float[][] advance(int[] rows, int[] tokens) {
            long start = System.nanoTime();
            batch.reorder(rows); // KV cache rows follow their beams
            batch.append(tokens);
            float[][] logits = batch.step().lastOfEachRow(); // [N][V]
            decodeNanos += System.nanoTime() - start;
            decodeTokens += tokens.length;
            return logits;
        }
    }
}
