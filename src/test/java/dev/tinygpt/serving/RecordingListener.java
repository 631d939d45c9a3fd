package dev.tinygpt.serving;

import dev.tinygpt.generation.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Records what a job produces, per choice, and waits for its end. It checks the order the listener
 * contract promises: {@code onStart} first, one {@code onSample} per token before it is told,
 * nothing after {@code onFinish} or {@code onError}.
 */
class RecordingListener implements JobListener {
    /** One choice's record. */
    static final class Record {
        final StringBuilder text = new StringBuilder();
        final List<String> pieces = new ArrayList<>();
        final List<Integer> ids = new ArrayList<>();
        final List<TokenLogprob> logprobs = new ArrayList<>();
        List<TokenLogprob> promptLogprobs;
        String promptText;
        FinishReason reason;
        int completionTokens;
        int samples;

        int[] ids() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private final Map<Integer, Record> choices = new TreeMap<>();
    private final int expected;
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<String> violations = new ArrayList<>();
    private volatile String error;
    private volatile boolean started;
    private volatile int tokens;
    private int finished;

    RecordingListener(int expectedChoices) {
        this.expected = expectedChoices;
    }

    @Override
    public synchronized void onStart() {
        expect(!started, "onStart twice");
        started = true;
    }

    @Override
    public synchronized void onSample(int choice, int completionTokens) {
        Record r = live(choice, "onSample");
        r.samples++;
        expect(r.samples == completionTokens, "onSample counts " + completionTokens);
    }

    @Override
    public synchronized void onPrompt(int choice, String text, List<TokenLogprob> logprobs) {
        Record r = live(choice, "onPrompt");
        expect(r.samples == 0, "onPrompt after a token");
        r.promptText = text;
        r.text.append(text);
        r.promptLogprobs = logprobs;
    }

    @Override
    public synchronized void onToken(int choice, String text, TokenLogprob logprob) {
        Record r = live(choice, "onToken");
        r.text.append(text);
        r.pieces.add(text);
        tokens++;
        if (logprob != null) {
            r.ids.add(logprob.id());
            r.logprobs.add(logprob);
        }
    }

    @Override
    public synchronized void onFinish(
            int choice, String text, FinishReason reason, int completionTokens) {
        Record r = live(choice, "onFinish");
        expect(r.samples == completionTokens, "onFinish after " + r.samples + " samples");
        r.text.append(text);
        r.reason = reason;
        r.completionTokens = completionTokens;
        if (++finished == expected) {
            done.countDown();
        }
    }

    @Override
    public void onError(String message) {
        expect(done.getCount() == 1, "onError after the end");
        error = message;
        done.countDown();
    }

    private Record live(int choice, String event) {
        expect(started, event + " before onStart");
        expect(error == null, event + " after onError");
        Record r = record(choice);
        expect(r.reason == null, event + " after onFinish of choice " + choice);
        return r;
    }

    private synchronized void expect(boolean ok, String violation) {
        if (!ok) {
            violations.add(violation);
        }
    }

    synchronized Record record(int choice) {
        return choices.computeIfAbsent(choice, c -> new Record());
    }

    /** Waits for the end; the records, or an AssertionError naming the job's error. */
    Map<Integer, Record> await() throws InterruptedException {
        if (!awaitEnd()) {
            throw new AssertionError("the job did not end in 120 s");
        }
        if (error != null) {
            throw new AssertionError("the job failed: " + error);
        }
        return choices;
    }

    /** Waits up to 120 s for a finish or an error; whether one came. */
    boolean awaitEnd() throws InterruptedException {
        boolean ended = done.await(120, TimeUnit.SECONDS);
        synchronized (this) {
            if (!violations.isEmpty()) {
                throw new AssertionError("listener contract broken: " + violations);
            }
        }
        return ended;
    }

    String error() {
        return error;
    }

    boolean isStarted() {
        return started;
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** Tokens told so far, over all choices. */
    int tokens() {
        return tokens;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }
}
