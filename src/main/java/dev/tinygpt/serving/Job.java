package dev.tinygpt.serving;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's work for the {@link Scheduler}: its prompts (token ids), settings and listener.
 * Each prompt runs as {@code n} rows of the batch, one per choice; prompt {@code p}'s choice {@code
 * c} has index {@code p·n + c}. The HTTP layer makes it, submits it and may {@link #cancel} it (the
 * client went away); the scheduler's thread does the rest.
 */
public final class Job {
    private final List<int[]> prompts;
    private final CompletionSettings settings;
    private final JobListener listener;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean cancelled;
    private int started; // prompts prefilled so far (scheduler thread)
    private int unfinished; // choices not yet finished (scheduler thread)

    /**
     * @param prompts one or more non-empty prompts
     */
    public Job(List<int[]> prompts, CompletionSettings settings, JobListener listener) {
        if (settings == null || listener == null) {
            throw new IllegalArgumentException("a job needs its settings and a listener");
        }
        if (prompts == null || prompts.isEmpty()) {
            throw ServingException.invalid("prompt", "prompt must hold at least one prompt");
        }
        this.prompts = List.copyOf(prompts);
        this.settings = settings;
        this.listener = listener;
        this.unfinished = prompts.size() * settings.n();
    }

    /** Stops the job: its rows leave the batch at the next step; no further event is sent. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public List<int[]> prompts() {
        return prompts;
    }

    public CompletionSettings settings() {
        return settings;
    }

    JobListener listener() {
        return listener;
    }

    /** Marks the job ended (finished, failed or cancelled); true the first time only. */
    boolean end() {
        return ended.compareAndSet(false, true);
    }

    boolean hasEnded() {
        return ended.get();
    }

    /** Whether its rows should leave the batch. */
    boolean isGone() {
        return cancelled || ended.get();
    }

    /** The prompt {@link #startNext} starts next. */
    int[] nextPrompt() {
        return prompts.get(started);
    }

    /** The next prompt to prefill, counted as started. */
    int startNext() {
        return started++;
    }

    boolean allStarted() {
        return started == prompts.size();
    }

    /** Counts one finished choice; true when it was the last. */
    boolean choiceFinished() {
        return --unfinished == 0;
    }
}
