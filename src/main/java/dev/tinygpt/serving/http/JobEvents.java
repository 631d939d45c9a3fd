package dev.tinygpt.serving.http;

import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.serving.JobListener;
import dev.tinygpt.serving.TokenLogprob;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A job's events handed from the scheduler's thread to the thread that writes the response: the
 * listener only queues them (with the time they happened, for the latency metrics), so a slow
 * client never holds up the batch.
 */
final class JobEvents implements JobListener {

    /** What the scheduler said about the job. */
    sealed interface Event permits Sample, Prompt, Token, Finish, Failure {}

    /** A choice sampled a token (the end-of-sequence one too) at {@code nanos}. */
    record Sample(int choice, long nanos) implements Event {}

    record Prompt(int choice, String text, List<TokenLogprob> logprobs) implements Event {}

    record Token(int choice, String text, TokenLogprob logprob) implements Event {}

    record Finish(int choice, String text, FinishReason reason, int tokens) implements Event {}

    record Failure(String message) implements Event {}

    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onSample(int choice, int completionTokens) {
        queue.add(new Sample(choice, System.nanoTime()));
    }

    @Override
    public void onPrompt(int choice, String text, List<TokenLogprob> logprobs) {
        queue.add(new Prompt(choice, text, logprobs));
    }

    @Override
    public void onToken(int choice, String text, TokenLogprob logprob) {
        queue.add(new Token(choice, text, logprob));
    }

    @Override
    public void onFinish(int choice, String text, FinishReason reason, int completionTokens) {
        queue.add(new Finish(choice, text, reason, completionTokens));
    }

    @Override
    public void onError(String message) {
        queue.add(new Failure(message));
    }

    /** The next event, or null after {@code millis} without one. */
    Event next(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }
}
