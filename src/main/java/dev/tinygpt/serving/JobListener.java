package dev.tinygpt.serving;

import dev.tinygpt.generation.FinishReason;
import java.util.List;

/**
 * Receives what a {@link Job} produces, on the scheduler's thread: it must return at once (hand the
 * event to the thread that writes the response). A choice is one sequence of the job: prompt {@code
 * p}'s choice {@code c} of {@code n} has index {@code p·n + c}.
 */
public interface JobListener {
    /**
     * The job left the queue: its first prompt is about to be prefilled (for the time spent
     * waiting). Called once, before any other event.
     */
    default void onStart() {}

    /**
     * A choice sampled its {@code completionTokens}-th token, now: read the clock here for time to
     * first token ({@code completionTokens == 1}) and inter-token latency. Called for every token,
     * the end-of-sequence token included, before that token's {@code onToken} or {@code onFinish}.
     */
    default void onSample(int choice, int completionTokens) {}

    /**
     * The prompt, when the job echoes it: its text and, when log-probabilities are asked for, one
     * entry per prompt token (the first without a log-probability).
     *
     * @param logprobs null unless asked for
     */
    void onPrompt(int choice, String text, List<TokenLogprob> logprobs);

    /**
     * One new token of a choice and the text that became final with it: empty while a character is
     * incomplete or the text might begin a stop string (it comes with a later token).
     *
     * @param logprob null unless log-probabilities are asked for
     */
    void onToken(int choice, String text, TokenLogprob logprob);

    /**
     * The choice ended: the rest of its text (held back so far), why it ended and how many tokens
     * it generated. A choice's text is its {@code onPrompt} text (if echoed), every {@code onToken}
     * text and this one, in order.
     */
    void onFinish(int choice, String text, FinishReason reason, int completionTokens);

    /**
     * The job failed or was cut off (the server is shutting down); nothing follows. A cancelled job
     * gets no event after the one in flight when it was cancelled.
     */
    void onError(String message);
}
