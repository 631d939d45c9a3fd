package dev.tinygpt.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The jobs a {@link Scheduler} accepted and has not ended, and the FIFO queue of those waiting for
 * rows. Its head is held while the scheduler starts the head's prompts, so nothing overtakes it. At
 * most {@code maxJobs} are accepted and unfinished at once; accepting stops for good when the
 * scheduler drains. Thread-safe: request threads offer and cancel, the scheduler's thread takes.
 */
final class JobQueue {
    private final int maxJobs;
    private final BlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final Object gate = new Object(); // accepting and unfinished change together
    private int unfinished; // accepted, not ended; guarded by gate
    private volatile boolean accepting = true;
    private volatile Job head; // taken from `waiting`, its prompts being started (scheduler thread)

    JobQueue(int maxJobs) {
        this.maxJobs = maxJobs;
    }

    /**
     * Accepts a job at the back of the queue.
     *
     * @throws ServingException {@code UNAVAILABLE} once accepting stopped, {@code QUEUE_FULL} at
     *     the limit
     */
    void offer(Job job) {
        synchronized (gate) { // against the scheduler deciding it is drained
            if (!accepting) {
                throw new ServingException(
                        ServingException.Kind.UNAVAILABLE, null, Scheduler.SHUTTING_DOWN);
            }
            if (unfinished >= maxJobs) {
                throw new ServingException(
                        ServingException.Kind.QUEUE_FULL,
                        null,
                        "the server is busy: "
                                + unfinished
                                + " requests are running or waiting, the most it takes is "
                                + maxJobs);
            }
            unfinished++;
            waiting.add(job);
        }
    }

    /** Ends a job that is still waiting (not the head); whether it was. */
    boolean remove(Job job) {
        if (waiting.remove(job)) {
            end(job);
            return true;
        }
        return false;
    }

    /** Jobs waiting for rows, the head included. */
    int depth() {
        return waiting.size() + (head != null ? 1 : 0);
    }

    boolean isAccepting() {
        return accepting;
    }

    void stopAccepting() {
        synchronized (gate) {
            accepting = false;
        }
    }

    /** Whether accepting stopped and every accepted job ended. */
    boolean isDrained() {
        synchronized (gate) {
            return !accepting && unfinished == 0;
        }
    }

    /**
     * The head: the one held, or the next waiting job, held from now on, waiting up to {@code
     * millis} for one to arrive; null if none did.
     */
    Job head(long millis) throws InterruptedException {
        if (head == null) {
            head = millis > 0 ? waiting.poll(millis, TimeUnit.MILLISECONDS) : waiting.poll();
        }
        return head;
    }

    /** Lets go of the head: its prompts are all started, or it ended. */
    void releaseHead() {
        head = null;
    }

    /** Marks {@code job} ended; true the first time, when it stops counting against the limit. */
    boolean end(Job job) {
        if (!job.end()) {
            return false;
        }
        synchronized (gate) {
            unfinished--;
        }
        return true;
    }

    /** Takes the head and every waiting job, to end them. */
    List<Job> takeAll() {
        List<Job> all = new ArrayList<>();
        if (head != null) {
            all.add(head);
            head = null;
        }
        waiting.drainTo(all);
        return all;
    }
}
