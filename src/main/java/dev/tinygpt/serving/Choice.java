package dev.tinygpt.serving;

import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.StopMatcher;
import dev.tinygpt.generation.StreamingDecoder;
import dev.tinygpt.sampling.LogProbabilities;
import dev.tinygpt.sampling.LogitsProcessor;
import dev.tinygpt.sampling.MinNewTokens;
import dev.tinygpt.sampling.OccurrencePenalties;
import dev.tinygpt.sampling.RepetitionPenalty;
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
    private int textOffset; // characters of the choice's text decoded so far (echo included)
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
        // Choice c of every prompt samples with seed + c: a prompt of a list, or of a batch,
        // gives what it gives alone.
        SamplingConfig sampling = settings.sampling(index % settings.n());
        // The repetition penalty runs among the penalties, before the others (vLLM's order).
        SamplingConfig warpers = sampling.toBuilder().repetitionPenalty(1f).build();
        this.sampler = new Sampler(warpers, penalties(settings, eos, prompt.length));
        this.random = sampling.newRandom();
        this.tokenizer = tokenizer;
        this.decoder = tokenizer == null ? null : new StreamingDecoder(tokenizer, prompt);
        this.stops = new StopMatcher(settings.stop());
        this.eos = eos;
        this.textOffset = textOffset;
    }

    /**
     * The processors before the warpers (temperature, top-k, top-p), in vLLM's order: min_tokens,
     * the repetition penalty, then the frequency and presence penalties.
     */
    static List<LogitsProcessor> penalties(CompletionSettings settings, int eos, int promptLength) {
        List<LogitsProcessor> first = new ArrayList<>();
        if (settings.minTokens() > 0 && eos >= 0) {
            first.add(new MinNewTokens(eos, settings.minTokens(), promptLength));
        }
        if (settings.repetitionPenalty() != 1f) {
            first.add(new RepetitionPenalty(settings.repetitionPenalty()));
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
            return finish(FinishReason.NO_ALLOWED_TOKEN, length);
        }
        TokenLogprob logprob =
                job.settings().wantsLogprobs() ? logprob(values, offset, vocab, id) : null;
        tokens[length++] = id;
        int generated = length - promptLength;
        job.listener().onSample(index, generated);
        if (id == eos) {
            return finish(FinishReason.EOS, length - 1); // the end-of-sequence token has no text
        }
        String text = decoder == null ? "" : decoder.next(tokens, length);
        textOffset += text.length();
        StopMatcher.Result r =
                generated >= job.settings().minTokens()
                        ? stops.add(text)
                        : new StopMatcher.Result(text, false);
        job.listener().onToken(index, r.released(), logprob);
        if (r.stopped()) {
            return finish(FinishReason.STOP, "");
        }
        if (generated >= job.settings().maxTokens()) {
            return finish(FinishReason.LENGTH, length);
        }
        return null;
    }

    /**
     * Ends with the text held back so far: the decoder's last bytes go through the stop strings
     * like any piece, then the matcher lets go of what it held.
     */
    private FinishReason finish(FinishReason reason, int textTokens) {
        StopMatcher.Result tail =
                stops.add(decoder == null ? "" : decoder.rest(tokens, textTokens));
        String rest = tail.released() + stops.flush();
        return finish(tail.stopped() ? FinishReason.STOP : reason, rest);
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
