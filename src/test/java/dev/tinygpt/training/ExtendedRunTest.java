package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed run given another total ({@link TrainingRun#setMaxIters}): its steps continue from the
 * checkpoint to the new total, the learning rate from then on is the new total's schedule, and a
 * later resume keeps the new total. With a cosine schedule the result is not the uninterrupted run
 * of the new total (its steps before the change took the old schedule's rates); with a constant
 * rate after warm-up it is, bit for bit.
 */
class ExtendedRunTest {
    private static final String CORPUS = "to be or not to be, that is the question.\n".repeat(20);

    @TempDir Path dir;

    @Test
    void anExtendedRunContinuesOnTheScheduleOfItsNewTotal() throws Exception {
        Path out = dir.resolve("run");
        List<TrainingListener.Evaluation> evaluations = new ArrayList<>();
        train(
                TrainingRunTest.options(20, 10, 1e-3f),
                out,
                recorder(new ArrayList<>(), evaluations));
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(20, run.iteration());
            assertEquals(best(evaluations), run.best().orElseThrow(), "the best is recorded");
            run.setMaxIters(30);
            assertEquals(30, run.options().maxIters());
        }
        // Recorded at once: a resume without a new total keeps it.
        List<TrainingListener.Step> steps = new ArrayList<>();
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(20, run.iteration());
            assertEquals(30, run.options().maxIters());
            run.train(Integer.MAX_VALUE, recorder(steps, evaluations));
            assertEquals(30, run.iteration());
        }
        LrSchedule extended = LrSchedule.of(TrainingRunTest.options(30, 10, 1e-3f));
        LrSchedule original = LrSchedule.of(TrainingRunTest.options(20, 10, 1e-3f));
        assertEquals(10, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            TrainingListener.Step s = steps.get(i);
            assertEquals(21 + i, s.iter());
            assertEquals(30, s.maxIters());
            assertEquals(extended.lr(s.iter() - 1), s.learningRate(), 0f, "step " + s.iter());
        }
        // The old schedule had reached its floor: the new one climbs back up the cosine.
        assertNotEquals(original.lr(20), steps.get(0).learningRate());
        assertEquals(
                List.of(10, 20, 30),
                evaluations.stream().map(TrainingListener.Evaluation::iter).toList());
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(30, run.iteration());
            assertEquals(30, run.options().maxIters(), "a later resume keeps the new total");
            assertEquals(best(evaluations), run.best().orElseThrow());
        }
    }

    @Test
    void withAConstantRateAnExtendedRunEqualsTheUninterruptedRunOfItsTotal() throws Exception {
        // Warm-up, then min_lr = learning_rate: the rate of every step is the same whatever the
        // total, so stopping at 12 and extending to 24 must take exactly the steps of a run of 24.
        TrainingOptions constant =
                TrainingRunTest.options(24, 6, 1e-3f).toBuilder().minLearningRate(1e-3f).build();
        List<float[]> uninterrupted = train(constant, dir.resolve("whole"), TrainingRunTest.QUIET);
        Path out = dir.resolve("extended");
        train(constant.toBuilder().maxIters(12).build(), out, TrainingRunTest.QUIET);
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            run.setMaxIters(24);
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            List<float[]> extended = TrainingRunTest.weights(run);
            for (int i = 0; i < extended.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), extended.get(i), 0f, "parameter " + i);
            }
        }
        for (String file : List.of("checkpoint/model.safetensors", "model.safetensors")) {
            assertArrayEquals(
                    Files.readAllBytes(dir.resolve("whole").resolve(file)),
                    Files.readAllBytes(out.resolve(file)),
                    file);
        }
    }

    @Test
    void aRunShortensDownToItsStepAndNoFurther() throws Exception {
        Path out = dir.resolve("run");
        train(TrainingRunTest.options(10, 5, 1e-3f), out, TrainingRunTest.QUIET);
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            run.setMaxIters(20); // a run of 20 steps stopped at its checkpoint of step 10
        }
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> run.setMaxIters(9));
            assertEquals(
                    "max_iters must be at least the run's current step 10, got 9", e.getMessage());
            run.setMaxIters(15);
            List<TrainingListener.Step> steps = new ArrayList<>();
            run.train(Integer.MAX_VALUE, recorder(steps, new ArrayList<>()));
            assertEquals(15, run.iteration());
            LrSchedule shortened = LrSchedule.of(TrainingRunTest.options(15, 5, 1e-3f));
            for (TrainingListener.Step s : steps) {
                assertEquals(shortened.lr(s.iter() - 1), s.learningRate(), 0f);
            }
            run.setMaxIters(15); // its own step: the run is complete
        }
        try (TrainingRun run = TrainingRun.resume(out, CORPUS)) {
            assertEquals(15, run.iteration());
            assertEquals(15, run.options().maxIters());
            run.train(Integer.MAX_VALUE, TrainingRunTest.QUIET);
            assertEquals(15, run.iteration(), "a complete run takes no step");
        }
    }

    /** Trains a new run in {@code out} to its end; returns its weights. */
    private static List<float[]> train(TrainingOptions options, Path out, TrainingListener listener)
            throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        GptConfig config = TrainingRunTest.tiny(tokenizer, 16, 0.1f);
        try (TrainingRun run = TrainingRun.start(config, tokenizer, CORPUS, options, out)) {
            run.train(Integer.MAX_VALUE, listener);
            return TrainingRunTest.weights(run);
        }
    }

    /** The lowest validation loss of {@code evaluations} and its step. */
    private static TrainingRun.Best best(List<TrainingListener.Evaluation> evaluations) {
        TrainingListener.Evaluation best =
                evaluations.stream()
                        .min(Comparator.comparingDouble(TrainingListener.Evaluation::valLoss))
                        .orElseThrow();
        return new TrainingRun.Best(best.iter(), best.valLoss());
    }

    private static TrainingListener recorder(
            List<TrainingListener.Step> steps, List<TrainingListener.Evaluation> evaluations) {
        return new TrainingListener() {
            @Override
            public void onStep(TrainingListener.Step step) {
                steps.add(step);
            }

            @Override
            public void onEvaluation(TrainingListener.Evaluation evaluation) {
                evaluations.add(evaluation);
            }
        };
    }
}
