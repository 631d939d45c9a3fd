package dev.tinygpt.serving;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: one thread owns the model's sessions and a {@link RunningBatch}. Requests
 * ({@link Job}s) wait in a FIFO queue; between two decode steps the thread prefills waiting prompts
 * into free rows (a prompt's {@code n} choices together, in arrival order, so none is overtaken),
 * then runs one step for every row, samples each row with its own settings and seed, hands the
 * tokens to the jobs' listeners, and lets finished, stopped or cancelled rows leave at once. A
 * request that fails (its listener throws, its logits hold NaN) ends alone; a failed step ends the
 * rows it ran; the loop goes on.
 *
 * <p>At most {@code maxBatch} rows run and at most {@code maxBatch + maxQueue} jobs are accepted
 * and unfinished; past that {@link #submit} refuses with {@code QUEUE_FULL}. {@link #drain} stops
 * accepting, lets the accepted jobs finish for a bounded time, then ends the rest.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    static final String SHUTTING_DOWN = "the server is shutting down";

    /**
     * Prompt tokens one turn prefills at most while rows are running: the running rows wait for a
     * turn's prefills, so a burst of long prompts is spread over several decode steps instead of
     * stalling them all at once (a prefill is not split: one prompt per turn always starts).
     */
    static final int PREFILL_TOKENS_PER_TURN = 2048;

    private final LanguageModel model;
    private final GptConfig config;
    private final Tokenizer tokenizer;
    private final int eos;
    private final int maxBatch;
    private final int prefillTokens;
    private final JobQueue jobs;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean aborting;
    private volatile int runningRows;
    private RunningBatch batch; // scheduler thread only
    private InferenceSession scoring; // for echo with logprobs, made when first needed

    /**
     * Starts the scheduler's thread on a loaded model (which it does not close).
     *
     * @param maxBatch rows decoded together at most
     * @param maxQueue jobs that may wait beyond {@code maxBatch} running ones
     */
    public Scheduler(LanguageModel model, int maxBatch, int maxQueue) {
        this(model, maxBatch, maxQueue, PREFILL_TOKENS_PER_TURN);
    }

    /**
     * @param prefillTokens prompt tokens prefilled at most per turn while rows are running (one
     *     prompt at least)
     */
    Scheduler(LanguageModel model, int maxBatch, int maxQueue, int prefillTokens) {
        if (maxBatch < 1 || maxQueue < 0 || prefillTokens < 1) {
            throw new IllegalArgumentException(
                    "max batch and prefill tokens must be ≥ 1 and max queue ≥ 0, got "
                            + maxBatch
                            + ", "
                            + prefillTokens
                            + ", "
                            + maxQueue);
        }
        this.prefillTokens = prefillTokens;
        this.model = model;
        this.config = model.config();
        this.tokenizer = model.tokenizer().orElse(null);
        this.eos = config.hasEos() ? config.eosTokenId() : -1;
        this.maxBatch = maxBatch;
        this.jobs = new JobQueue(maxBatch + maxQueue);
        this.batch = new RunningBatch(model, maxBatch);
        this.thread = new Thread(this::loop, "tinygpt-scheduler");
        thread.start();
    }

    /**
     * Queues a job.
     *
     * @throws ServingException {@code INVALID} for a prompt the model cannot take (naming the
     *     numbers) or stop strings on a model without a tokenizer, {@code QUEUE_FULL} when the
     *     queue is full, {@code UNAVAILABLE} when draining
     */
    public void submit(Job job) {
        check(job);
        jobs.offer(job);
    }

    /** Cancels a job: it leaves the queue now, or the batch at the next step. */
    public void cancel(Job job) {
        job.cancel();
        jobs.remove(job);
    }

    /** Jobs waiting for a row (the one being started included). */
    public int queueDepth() {
        return jobs.depth();
    }

    /** Rows in the running batch. */
    public int runningRows() {
        return runningRows;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Whether {@link #submit} takes jobs: false once draining began or the loop stopped. */
    public boolean isAccepting() {
        return jobs.isAccepting();
    }

    /**
     * Stops accepting jobs and waits up to {@code timeout} for the accepted ones to finish; then
     * ends the rest (their listeners get {@code onError}) and stops the thread.
     *
     * @return whether every accepted job finished in time
     */
    public boolean drain(Duration timeout) {
        jobs.stopAccepting();
        boolean finished = await(timeout);
        if (!finished) {
            aborting = true;
            await(Duration.ofSeconds(60)); // the step in progress, at most
        }
        return finished;
    }

    /** Ends everything at once: {@link #drain} with no time to finish. */
    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    private boolean await(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void check(Job job) {
        int n = job.settings().n();
        if (n > maxBatch) {
            throw ServingException.invalid(
                    "n", "n is " + n + " but this server runs at most " + maxBatch + " rows");
        }
        if (tokenizer == null && !job.settings().stop().isEmpty()) {
            // without text there is nothing to find them in: refused, not ignored
            throw ServingException.invalid(
                    "stop", "stop strings need the model's tokenizer, and this model has none");
        }
        int index = 0;
        for (int[] prompt : job.prompts()) {
            PromptChecks.check(prompt, index++, job.settings().maxTokens(), config);
        }
    }

    private void loop() {
        try {
            while (!aborting) {
                dropGone();
                admit();
                runningRows = batch.size();
                if (batch.size() > 0) {
                    decode();
                } else if (jobs.isDrained()) {
                    break;
                } else {
                    waitForWork();
                }
            }
            abortAll();
        } catch (RuntimeException | Error e) {
            LOG.error("the scheduler stopped", e);
            jobs.stopAccepting();
            aborting = true;
            abortAll();
        } finally {
            batch.close();
            if (scoring != null) {
                scoring.close();
            }
            runningRows = 0;
            stopped.countDown();
        }
    }

    private void waitForWork() {
        try {
            jobs.head(50);
        } catch (InterruptedException e) {
            aborting = true;
        }
    }

    /** The head of the queue, not waiting for one. */
    private Job nextHead() {
        try {
            return jobs.head(0);
        } catch (InterruptedException e) {
            throw new AssertionError("a poll without waiting was interrupted", e);
        }
    }

    /**
     * Starts waiting prompts while their choices fit, in arrival order, up to the turn's prefill
     * budget when rows are running.
     */
    private void admit() {
        int budget = batch.size() > 0 ? prefillTokens : Integer.MAX_VALUE;
        int spent = 0;
        while (true) {
            Job job = nextHead();
            if (job == null) {
                return;
            }
            if (job.isGone()) {
                jobs.end(job);
                jobs.releaseHead();
                continue;
            }
            if (batch.free() < job.settings().n()) {
                return; // the head waits for room; nothing overtakes it
            }
            int length = job.nextPrompt().length;
            if (spent > 0 && spent + length > budget) {
                return; // the rest next turn, after a decode step
            }
            spent += length;
            int p = job.startNext();
            try {
                start(job, p);
            } catch (Exception | Error e) { // a listener may throw anything
                fail(job, e);
            }
            if (job.allStarted() || job.hasEnded()) {
                jobs.releaseHead();
            }
        }
    }

    /** Prefills prompt {@code p} of {@code job} and adds its choices that go on to the batch. */
    private void start(Job job, int p) {
        int[] prompt = job.prompts().get(p);
        CompletionSettings settings = job.settings();
        int n = settings.n();
        if (p == 0) {
            job.listener().onStart();
        }
        int textOffset = 0; // the echoed prompt's length in the choice's text
        if (settings.echo()) {
            String promptText = tokenizer == null ? "" : tokenizer.decode(prompt);
            textOffset = promptText.length();
            List<TokenLogprob> scores =
                    settings.wantsLogprobs()
                            ? PromptScores.of(scoring(), prompt, settings.logprobs(), tokenizer)
                            : null;
            for (int c = 0; c < n; c++) {
                job.listener().onPrompt(p * n + c, promptText, scores);
            }
        }
        if (settings.maxTokens() == 0) {
            for (int c = 0; c < n; c++) {
                job.listener().onFinish(p * n + c, "", FinishReason.LENGTH, 0);
                finished(job);
            }
            return;
        }
        float[] logits = batch.prefill(prompt);
        for (int c = 0; c < n && !job.isGone(); c++) {
            Choice choice = new Choice(job, p * n + c, prompt, tokenizer, eos, textOffset);
            if (choice.next(logits, 0, logits.length) == null) {
                batch.join(choice);
            } else {
                finished(job);
            }
        }
    }

    /** One step for every row, then each row's token; finished rows leave. */
    private void decode() {
        StepOutput out;
        try {
            out = batch.step();
        } catch (RuntimeException e) {
            LOG.error("a decode step of {} rows failed", batch.size(), e);
            for (int r = 0; r < batch.size(); r++) {
                fail(batch.row(r).job(), e);
            }
            dropGone();
            return;
        }
        List<Integer> done = new ArrayList<>();
        for (int r = 0; r < batch.size(); r++) {
            Choice row = batch.row(r);
            try {
                if (!row.job().isGone()
                        && row.next(out.logits(), out.offset(r, 0), out.vocabSize()) != null) {
                    done.add(r);
                    finished(row.job());
                }
            } catch (Exception | Error e) { // a listener may throw anything
                fail(row.job(), e);
            }
        }
        for (int i = done.size() - 1; i >= 0; i--) {
            batch.leave(done.get(i)); // highest first: the row moving in is one that goes on
        }
        runningRows = batch.size();
    }

    /** Rows of cancelled, failed or finished jobs leave the batch. */
    private void dropGone() {
        for (int r = batch.size() - 1; r >= 0; r--) {
            Job job = batch.row(r).job();
            if (job.isGone()) {
                batch.leave(r);
                jobs.end(job);
            }
        }
    }

    private void finished(Job job) {
        if (job.choiceFinished()) {
            jobs.end(job);
        }
    }

    /**
     * Ends {@code job} after a failure of its own (a listener that threw, logits with NaN) and
     * tells it why; only the JVM's own errors (out of memory) go on up and stop the loop.
     */
    private void fail(Job job, Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        if (!jobs.end(job)) {
            return;
        }
        if (!(e instanceof IllegalArgumentException)) {
            LOG.warn("a request failed", e);
        }
        tell(job, e instanceof IllegalArgumentException ? e.getMessage() : "generation failed");
    }

    /** Ends every job still here: the server is shutting down. */
    private void abortAll() {
        List<Job> left = new ArrayList<>();
        for (int r = 0; r < batch.size(); r++) {
            left.add(batch.row(r).job());
        }
        left.addAll(jobs.takeAll());
        for (Job job : left) {
            if (jobs.end(job) && !job.isCancelled()) {
                tell(job, SHUTTING_DOWN);
            }
        }
    }

    private static void tell(Job job, String message) {
        try {
            job.listener().onError(message);
        } catch (RuntimeException ignored) {
            // the listener is gone as well: nothing more to tell it
        }
    }

    private InferenceSession scoring() {
        if (scoring == null) {
            scoring = model.newScoringSession();
        }
        return scoring;
    }
}
