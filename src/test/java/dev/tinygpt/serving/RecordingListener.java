package dev.tinygpt.serving;

import dev.tinygpt.generation.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records what a job produces, per choice, and waits for its end. */
final class RecordingListener implements JobListener {
    /** One choice's record. */
    static final class Record {
        final StringBuilder text = new StringBuilder();
        final List<Integer> ids = new ArrayList<>();
        final List<TokenLogprob> logprobs = new ArrayList<>();
        List<TokenLogprob> promptLogprobs;
        FinishReason reason;
        int completionTokens;
    }

    private final Map<Integer, Record> choices = new TreeMap<>();
    private final int expected;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile String error;
    private int finished;

    RecordingListener(int expectedChoices) {
        this.expected = expectedChoices;
    }

    @Override
    public synchronized void onPrompt(int choice, String text, List<TokenLogprob> logprobs) {
        record(choice).text.append(text);
        record(choice).promptLogprobs = logprobs;
    }

    @Override
    public synchronized void onToken(int choice, String text, TokenLogprob logprob) {
        Record r = record(choice);
        r.text.append(text);
        if (logprob != null) {
            r.ids.add(logprob.id());
            r.logprobs.add(logprob);
        }
    }

    @Override
    public synchronized void onFinish(
            int choice, String text, FinishReason reason, int completionTokens) {
        Record r = record(choice);
        r.text.append(text);
        r.reason = reason;
        r.completionTokens = completionTokens;
        if (++finished == expected) {
            done.countDown();
        }
    }

    @Override
    public void onError(String message) {
        error = message;
        done.countDown();
    }

    synchronized Record record(int choice) {
        return choices.computeIfAbsent(choice, c -> new Record());
    }

    /** Waits for the end; the records, or an AssertionError naming the job's error. */
    Map<Integer, Record> await() throws InterruptedException {
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the job did not end in 120 s");
        }
        if (error != null) {
            throw new AssertionError("the job failed: " + error);
        }
        return choices;
    }

    String error() {
        return error;
    }

    boolean isDone() {
        return done.getCount() == 0;
    }
}
