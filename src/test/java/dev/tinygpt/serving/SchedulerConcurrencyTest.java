package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests from several threads at once, some cancelled at random moments (while queued, while
 * being admitted, while running): every request that was not cancelled gets what it gets alone,
 * every listener sees a well-ordered stream of events, and the scheduler ends empty.
 */
class SchedulerConcurrencyTest {

    /** One submitted request and whether its thread cancelled it. */
    private record Sent(
            int[] prompt, CompletionSettings settings, RecordingListener out, boolean cancelled) {}

    @Test
    void concurrentSubmittersAndRandomCancellationsLeaveEveryOtherRequestIntact() throws Exception {
        try (LanguageModel lm =
                        LanguageModel.create(GptConfig.exercise(), 31, WordTokenizer.exercise());
                Scheduler scheduler = new Scheduler(lm, 4, 200)) {
            List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> submitMany(scheduler, thread, sent)));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            int checked = 0;
            for (Sent s : sent) {
                if (s.cancelled()) {
                    continue;
                }
                RecordingListener.Record r = s.out().await().get(0);
                GenerationOptions options =
                        GenerationOptions.builder()
                                .maxNewTokens(s.settings().maxTokens())
                                .sampling(s.settings().sampling(0))
                                .build();
                assertArrayEquals(lm.generate(s.prompt(), options).generated(), r.ids());
                checked++;
            }
            assertTrue(checked > 40, checked + " requests checked");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (scheduler.runningRows() + scheduler.queueDepth() > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, scheduler.runningRows());
            assertEquals(0, scheduler.queueDepth());
            for (Sent s : sent) {
                assertEquals(List.of(), s.out().violations());
            }
        }
    }

    private static void submitMany(Scheduler scheduler, int thread, List<Sent> sent) {
        Random random = new Random(thread);
        for (int i = 0; i < 25; i++) {
            int[] prompt = TestModels.randomIds(1 + random.nextInt(10), 20, 1000L * thread + i);
            CompletionSettings settings =
                    CompletionSettings.builder()
                            .temperature(random.nextBoolean() ? 0 : 0.5f + random.nextFloat())
                            .seed(random.nextLong())
                            .maxTokens(1 + random.nextInt(20))
                            .logprobs(0)
                            .build();
            RecordingListener out = new RecordingListener(1);
            Job job = new Job(List.of(prompt), settings, out);
            scheduler.submit(job);
            boolean cancel = random.nextInt(4) == 0;
            if (cancel) {
                try {
                    Thread.sleep(random.nextInt(3));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                scheduler.cancel(job);
            }
            sent.add(new Sent(prompt, settings, out, cancel));
        }
    }
}
