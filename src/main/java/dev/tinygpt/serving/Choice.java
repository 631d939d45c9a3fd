package dev.tinygpt.serving;

import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.StreamingDecoder;
import dev.tinygpt.sampling.LogProbabilities;
import dev.tinygpt.sampling.LogitsProcessor;
import dev.tinygpt.sampling.MinNewTokens;
import dev.tinygpt.sampling.OccurrencePenalties;
import dev.tinygpt.sampling.Sampler;
import dev.tinygpt.sampling.SamplingConfig;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One choice of a job while it generates: one row of the running batch with its own sequence,
 * sampler and seeded {@link Random}, streaming decoder and stop strings. It turns each row of
 * logits into a token, hands the token and its final text to the job's listener, and says when the
 * choice ends.
 */
final class Choice {
    private final Job job;
    private final int index;
    private final int promptLength;
    private final int[] tokens; // prompt, then the completion
    private int length;
    private final Sampler sampler;
    private final Random random;
    private final Tokenizer tokenizer; // null: the model has none
    private final StreamingDecoder decoder; // null without a tokenizer
    private final StopMatcher stops;
    private final int eos; // -1: none
    private int textOffset; // where the next token's text starts in the choice's text
    private int cached; // positions the batch's KV cache holds for this row

    /**
     * @param textOffset the length of the text before the completion (the echoed prompt)
     */
    Choice(Job job, int index, int[] prompt, Tokenizer tokenizer, int eos, int textOffset) {
        CompletionSettings settings = job.settings();
        this.job = job;
        this.index = index;
        this.promptLength = prompt.length;
        this.tokens = Arrays.copyOf(prompt, prompt.length + settings.maxTokens());
        this.length = prompt.length;
        SamplingConfig sampling = settings.sampling(index);
        this.sampler = new Sampler(sampling, firstProcessors(settings, eos, prompt.length));
        this.random = sampling.newRandom();
        this.tokenizer = tokenizer;
        this.decoder = tokenizer == null ? null : new StreamingDecoder(tokenizer, prompt);
        this.stops = new StopMatcher(settings.stop());
        this.eos = eos;
        this.textOffset = textOffset;
    }

    /** OpenAI's and vLLM's processors, before Hugging Face's: min_tokens, then the penalties. */
    private static List<LogitsProcessor> firstProcessors(
            CompletionSettings settings, int eos, int promptLength) {
        List<LogitsProcessor> first = new ArrayList<>();
        if (settings.minTokens() > 0 && eos >= 0) {
            first.add(new MinNewTokens(eos, settings.minTokens(), promptLength));
        }
        if (settings.presencePenalty() != 0 || settings.frequencyPenalty() != 0) {
            first.add(
                    new OccurrencePenalties(
                            settings.presencePenalty(), settings.frequencyPenalty(), promptLength));
        }
        return first;
    }

    Job job() {
        return job;
    }

    /** The token the batch feeds next: the last one sampled. */
    int pending() {
        return tokens[length - 1];
    }

    int cached() {
        return cached;
    }

    void setCached(int positions) {
        cached = positions;
    }

    /**
     * Samples the next token from {@code values[offset..offset+vocab)}, tells the listener, and
     * returns why the choice ends with it (after {@code onFinish}), or null if it goes on.
     */
    FinishReason next(float[] values, int offset, int vocab) {
        int id = sampler.next(tokens, length, values, offset, vocab, random);
        if (id == Sampler.NONE) {
            return finish(FinishReason.NO_ALLOWED_TOKEN);
        }
        TokenLogprob logprob =
                job.settings().wantsLogprobs() ? logprob(values, offset, vocab, id) : null;
        tokens[length++] = id;
        if (id == eos) {
            return finish(FinishReason.EOS); // the end-of-sequence token has no text
        }
        String text = decoder == null ? "" : decoder.next(tokens, length);
        int generated = length - promptLength;
        StopMatcher.Result r =
                generated >= job.settings().minTokens()
                        ? stops.add(text)
                        : new StopMatcher.Result(text, false);
        textOffset += r.released().length();
        job.listener().onToken(index, r.released(), logprob);
        if (r.stopped()) {
            return finish(FinishReason.STOP, "");
        }
        if (generated >= job.settings().maxTokens()) {
            return finish(FinishReason.LENGTH);
        }
        return null;
    }

    private FinishReason finish(FinishReason reason) {
        String rest = stops.flush() + (decoder == null ? "" : decoder.rest(tokens, length));
        return finish(reason, rest);
    }

    private FinishReason finish(FinishReason reason, String rest) {
        job.listener().onFinish(index, rest, reason, length - promptLength);
        return reason;
    }

    private TokenLogprob logprob(float[] values, int offset, int vocab, int id) {
        return TokenLogprob.of(
                new LogProbabilities(values, offset, vocab),
                id,
                job.settings().logprobs(),
                tokenizer,
                textOffset);
    }
}
