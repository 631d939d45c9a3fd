package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's life around the batch: cancelled rows free their slot, a full queue refuses,
 * draining finishes within its bound, a throwing listener ends only its job, refused prompts name
 * their numbers, and nothing NDArray-typed leaks over hundreds of jobs.
 */
class SchedulerLifecycleTest {
    private static final int[] PROMPT = {1, 2, 3};

    /** A listener whose second token blocks the scheduler's thread until released. */
    private static class Blocking extends RecordingListener {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Blocking() {
            super(1);
        }

        @Override
        public void onToken(int choice, String text, TokenLogprob logprob) {
            super.onToken(choice, text, logprob);
            if (tokens() == 2) {
                reached.countDown();
                SchedulerLifecycleTest.await(release);
            }
        }
    }

    @Test
    void aCancelledRowFreesItsSlotForTheNextJob() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 1, 4)) {
            Blocking first = new Blocking();
            Job cancelled = job(greedy(25), first);
            scheduler.submit(cancelled);
            RecordingListener next = new RecordingListener(1);
            scheduler.submit(job(greedy(10), next));
            await(first.reached);
            assertEquals(1, scheduler.runningRows());
            assertEquals(1, scheduler.queueDepth());
            assertFalse(next.isStarted(), "the second job waits: one row");
            scheduler.cancel(cancelled);
            first.release.countDown();

            int[] alone = lm.generate(PROMPT, GenerationOptions.greedy(10)).generated();
            assertArrayEquals(alone, next.await().get(0).ids());
            assertEquals(2, first.tokens(), "tokens: none after the one in flight at the cancel");
            assertFalse(first.isDone(), "a cancelled job gets no finish and no error");
            assertEquals(0, scheduler.queueDepth());
            assertEquals(List.of(), first.violations());
        }
    }

    @Test
    void aQueuedJobCancelledNeverStarts() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 1, 4)) {
            Blocking running = new Blocking();
            scheduler.submit(job(greedy(5), running));
            await(running.reached);
            RecordingListener waiting = new RecordingListener(1);
            Job queued = job(greedy(5), waiting);
            scheduler.submit(queued);
            assertEquals(1, scheduler.queueDepth());
            scheduler.cancel(queued);
            assertEquals(0, scheduler.queueDepth());
            running.release.countDown();
            running.await();
            RecordingListener after = new RecordingListener(1);
            scheduler.submit(job(greedy(3), after));
            after.await();
            assertFalse(waiting.isStarted());
        }
    }

    @Test
    void admissionIsFirstInFirstOutSoAWideJobIsNotStarved() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 2, 4)) {
            Blocking running = new Blocking();
            scheduler.submit(job(greedy(5), running));
            await(running.reached);
            List<String> starts = new ArrayList<>();
            RecordingListener wide = startsInto(starts, "wide", 2);
            RecordingListener narrow = startsInto(starts, "narrow", 1);
            CompletionSettings two =
                    CompletionSettings.builder().temperature(1).n(2).maxTokens(5).build();
            scheduler.submit(job(two, wide));
            scheduler.submit(job(greedy(5), narrow)); // fits the free row, but must not overtake
            sleep(200);
            assertFalse(narrow.isStarted(), "the narrow job overtook the wide one");
            assertEquals(2, scheduler.queueDepth());
            running.release.countDown();
            wide.await();
            narrow.await();
            assertEquals(List.of("wide", "narrow"), starts);
        }
    }

    @Test
    void aBurstOfPromptsIsPrefilledOverSeveralTurnsWhileRowsRun() throws Exception {
        // A budget of 4 prompt tokens per turn: one 4-token newcomer per decode step.
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 4, 8, 4)) {
            List<String> events = new ArrayList<>();
            Blocking running =
                    new Blocking() {
                        @Override
                        public void onSample(int choice, int completionTokens) {
                            super.onSample(choice, completionTokens);
                            synchronized (events) {
                                events.add("step");
                            }
                        }
                    };
            scheduler.submit(job(greedy(20), running));
            await(running.reached);
            List<RecordingListener> burst = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                burst.add(startsInto(events, "start", 1));
                scheduler.submit(job(greedy(5), burst.get(i), new int[] {1, 2, 3, 4}));
            }
            running.release.countDown();
            for (RecordingListener l : burst) {
                l.await();
            }
            running.await();
            String order;
            synchronized (events) {
                order = String.join(" ", events.subList(events.indexOf("start"), events.size()));
            }
            assertTrue(
                    order.startsWith("start step start step start"),
                    "the running row stepped between the prefills: " + order);
        }
    }

    /** A listener that notes its name in {@code starts} when its job starts. */
    private static RecordingListener startsInto(List<String> starts, String name, int choices) {
        return new RecordingListener(choices) {
            @Override
            public void onStart() {
                super.onStart();
                synchronized (starts) {
                    starts.add(name);
                }
            }
        };
    }

    @Test
    void aFullQueueRefusesUntilThereIsRoom() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 1, 1)) {
            Blocking running = new Blocking();
            scheduler.submit(job(greedy(5), running));
            await(running.reached);
            RecordingListener queued = new RecordingListener(1);
            scheduler.submit(job(greedy(5), queued));
            ServingException full =
                    assertThrows(
                            ServingException.class,
                            () -> scheduler.submit(job(greedy(5), new RecordingListener(1))));
            assertEquals(ServingException.Kind.QUEUE_FULL, full.kind());
            assertTrue(full.getMessage().contains("2 requests"), full.getMessage());
            running.release.countDown();
            running.await();
            queued.await();
            RecordingListener later = new RecordingListener(1);
            scheduler.submit(job(greedy(5), later));
            later.await();
        }
    }

    @Test
    void drainFinishesWhatWasAcceptedAndRefusesTheRest() throws Exception {
        try (LanguageModel lm = model()) {
            Scheduler scheduler = new Scheduler(lm, 2, 8);
            List<RecordingListener> accepted = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                accepted.add(new RecordingListener(1));
                scheduler.submit(job(greedy(20), accepted.get(i)));
            }
            assertTrue(scheduler.drain(Duration.ofSeconds(60)));
            for (RecordingListener l : accepted) {
                assertEquals(FinishReason.LENGTH, l.await().get(0).reason);
            }
            assertFalse(scheduler.isAccepting());
            ServingException refused =
                    assertThrows(
                            ServingException.class,
                            () -> scheduler.submit(job(greedy(5), new RecordingListener(1))));
            assertEquals(ServingException.Kind.UNAVAILABLE, refused.kind());
            scheduler.close(); // twice is harmless
            assertEquals(0, scheduler.runningRows());
        }
    }

    @Test
    void drainEndsWhatDoesNotFinishInTime() throws Exception {
        try (LanguageModel lm = model()) {
            Scheduler scheduler = new Scheduler(lm, 1, 4);
            RecordingListener slow =
                    new RecordingListener(1) {
                        @Override
                        public void onToken(int choice, String text, TokenLogprob logprob) {
                            super.onToken(choice, text, logprob);
                            sleep(40); // 25 tokens: a second
                        }
                    };
            RecordingListener waiting = new RecordingListener(1);
            scheduler.submit(job(greedy(25), slow));
            scheduler.submit(job(greedy(5), waiting));
            long start = System.nanoTime();
            assertFalse(scheduler.drain(Duration.ofMillis(200)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 30, "drain took " + seconds + " s");
            assertTrue(slow.awaitEnd());
            assertEquals("the server is shutting down", slow.error());
            assertTrue(waiting.awaitEnd());
            assertEquals("the server is shutting down", waiting.error());
            assertTrue(slow.tokens() < 25, slow.tokens() + " tokens");
        }
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnJob() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 3, 8)) {
            RecordingListener throwing =
                    new RecordingListener(1) {
                        @Override
                        public void onToken(int choice, String text, TokenLogprob logprob) {
                            super.onToken(choice, text, logprob);
                            if (tokens() == 3) {
                                throw new IllegalStateException("the client's socket broke");
                            }
                        }
                    };
            RecordingListener erring =
                    new RecordingListener(1) {
                        @Override
                        public void onStart() {
                            super.onStart();
                            throw new AssertionError("a bug in the listener, not an exception");
                        }
                    };
            RecordingListener beside = new RecordingListener(1);
            scheduler.submit(job(greedy(15), erring));
            scheduler.submit(job(greedy(15), throwing));
            scheduler.submit(job(greedy(15), beside));
            assertTrue(throwing.awaitEnd());
            assertEquals("generation failed", throwing.error());
            assertTrue(erring.awaitEnd());
            assertEquals("generation failed", erring.error());
            assertEquals(3, throwing.tokens());
            int[] alone = lm.generate(PROMPT, GenerationOptions.greedy(15)).generated();
            assertArrayEquals(alone, beside.await().get(0).ids());
            RecordingListener after = new RecordingListener(1);
            scheduler.submit(job(greedy(15), after));
            assertArrayEquals(alone, after.await().get(0).ids());
            assertTrue(scheduler.isAccepting());
        }
    }

    @Test
    void badRequestsAreRefusedNamingTheProblem() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 2, 2)) {
            ServingException tooLong =
                    refused(scheduler, List.of(PROMPT, TestModels.randomIds(20, 20, 1)), 13);
            assertEquals("max_tokens", tooLong.param());
            assertEquals(
                    "this model's maximum context length is 32 tokens, but 33 were requested (20"
                            + " in prompt 1, 13 in max_tokens): shorten the prompt or lower"
                            + " max_tokens",
                    tooLong.getMessage());
            ServingException badId = refused(scheduler, List.of(new int[] {1, 20}), 3);
            assertTrue(badId.getMessage().contains("token id 20 at index 1"), badId.getMessage());
            ServingException empty = refused(scheduler, List.of(new int[0]), 3);
            assertTrue(empty.getMessage().contains("prompt 0 is empty"), empty.getMessage());
            ServingException tooMany =
                    assertThrows(
                            ServingException.class,
                            () ->
                                    scheduler.submit(
                                            job(
                                                    CompletionSettings.builder().n(3).build(),
                                                    new RecordingListener(3))));
            assertEquals("n", tooMany.param());
            ServingException temperature =
                    assertThrows(
                            ServingException.class,
                            () -> CompletionSettings.builder().temperature(2.5f).build());
            assertEquals("temperature", temperature.param());
            assertEquals(ServingException.Kind.INVALID, temperature.kind());
            // nothing was queued, and the scheduler still serves
            assertEquals(0, scheduler.queueDepth());
            RecordingListener fine = new RecordingListener(1);
            scheduler.submit(job(greedy(19), fine));
            assertEquals(19, fine.await().get(0).completionTokens);
        }
    }

    @Test
    void stopStringsOnAModelWithoutATokenizerAreRefusedNotIgnored() throws Exception {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 21, null);
                Scheduler scheduler = new Scheduler(lm, 1, 1)) {
            CompletionSettings stop =
                    CompletionSettings.builder()
                            .temperature(0)
                            .maxTokens(3)
                            .stop(List.of("x"))
                            .build();
            ServingException refused =
                    assertThrows(
                            ServingException.class,
                            () -> scheduler.submit(job(stop, new RecordingListener(1))));
            assertEquals("stop", refused.param());
            assertEquals(ServingException.Kind.INVALID, refused.kind());
            assertEquals(0, scheduler.queueDepth());
            RecordingListener ids = new RecordingListener(1);
            scheduler.submit(job(greedy(3), ids)); // token ids alone still run
            assertEquals(3, ids.await().get(0).completionTokens);
        }
    }

    @Test
    void liveArraysStayFlatOverHundredsOfJobs() throws Exception {
        try (LanguageModel lm = model();
                Scheduler scheduler = new Scheduler(lm, 4, 64)) {
            runMixed(scheduler, 0, 40); // every path once: slots, capacity and scoring made
            int baseline = TestModels.liveArrays();
            runMixed(scheduler, 40, 300);
            assertEquals(0, scheduler.runningRows());
            assertEquals(baseline, TestModels.liveArrays(), "live NDArrays after 300 jobs");
        }
    }

    /** Jobs {@code [from, to)} of a mix: lengths, n, echo and logprobs, stops, cancellations. */
    private static void runMixed(Scheduler scheduler, int from, int to) throws Exception {
        List<RecordingListener> listeners = new ArrayList<>();
        for (int i = from; i < to; i++) {
            CompletionSettings settings =
                    CompletionSettings.builder()
                            .temperature(i % 2 == 0 ? 0 : 1)
                            .seed(i)
                            .maxTokens(1 + i % 20)
                            .n(1 + i % 3)
                            .echo(i % 5 == 0)
                            .logprobs(i % 4 == 0 ? 2 : -1)
                            .stop(i % 7 == 0 ? List.of("the") : List.of())
                            .build();
            RecordingListener listener = new RecordingListener(settings.n());
            Job job = job(settings, listener, TestModels.randomIds(1 + i % 12, 20, i));
            scheduler.submit(job);
            if (i % 11 == 0) {
                scheduler.cancel(job);
            } else {
                listeners.add(listener);
            }
            if (listeners.size() >= 32) {
                for (RecordingListener l : listeners) {
                    l.await();
                }
                listeners.clear();
            }
        }
        for (RecordingListener l : listeners) {
            l.await();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((scheduler.runningRows() > 0 || scheduler.queueDepth() > 0)
                && System.nanoTime() < deadline) {
            sleep(10); // cancelled rows leave at the next step
        }
    }

    private static ServingException refused(Scheduler scheduler, List<int[]> prompts, int max) {
        return assertThrows(
                ServingException.class,
                () ->
                        scheduler.submit(
                                new Job(
                                        prompts,
                                        greedy(max),
                                        new RecordingListener(prompts.size()))));
    }

    private static LanguageModel model() {
        return LanguageModel.create(GptConfig.exercise(), 21, WordTokenizer.exercise());
    }

    private static CompletionSettings greedy(int maxTokens) {
        return CompletionSettings.builder().temperature(0).maxTokens(maxTokens).logprobs(0).build();
    }

    private static Job job(CompletionSettings settings, JobListener listener) {
        return job(settings, listener, PROMPT);
    }

    private static Job job(CompletionSettings settings, JobListener listener, int[] prompt) {
        return new Job(List.of(prompt), settings, listener);
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("waited 60 s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
