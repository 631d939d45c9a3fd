package dev.tinygpt.serving;

import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.StreamingDecoder;
import dev.tinygpt.sampling.LogProbabilities;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * The log-probability of every prompt token given the tokens before it, from one forward pass that
 * returns every position's logits (OpenAI's {@code echo} with {@code logprobs}, what evaluation
 * harnesses score with). Nothing predicts the first token: its entry has none.
 */
final class PromptScores {
    private PromptScores() {}

    /**
     * @param scoring a session from {@code LanguageModel.newScoringSession()}
     * @param n alternatives per position
     * @param tokenizer for the tokens' bytes and text offsets; may be null
     */
    static List<TokenLogprob> of(
            InferenceSession scoring, int[] prompt, int n, Tokenizer tokenizer) {
        StepOutput out = scoring.step(StepInput.of(prompt, null)); // (1, T, V)
        StreamingDecoder decoder =
                tokenizer == null ? null : new StreamingDecoder(tokenizer, new int[0]);
        List<TokenLogprob> scores = new ArrayList<>(prompt.length);
        int offset = 0;
        for (int t = 0; t < prompt.length; t++) {
            if (t == 0) {
                byte[] bytes = TokenLogprob.bytes(tokenizer, prompt[0]);
                scores.add(new TokenLogprob(prompt[0], bytes, null, null, 0));
            } else {
                LogProbabilities lp =
                        new LogProbabilities(out.logits(), out.offset(0, t - 1), out.vocabSize());
                scores.add(TokenLogprob.of(lp, prompt[t], n, tokenizer, offset));
            }
            offset += decoder == null ? 0 : decoder.next(prompt, t + 1).length();
        }
        return scores;
    }
}
