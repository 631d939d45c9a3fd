package dev.tinygpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.io.GptCriteria;
import dev.tinygpt.io.SafetensorsReader;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.tokenizer.WordTokenizer;
import dev.tinygpt.training.TrainingRun;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything that holds native memory or a file is {@link AutoCloseable}: closing twice is
 * harmless, using a closed object is an {@link IllegalStateException} that names it, and once all
 * are closed no NDArray is left alive.
 */
class ClosingTest {
    @TempDir Path dir;

    @Test
    void modelsSessionsCachesAndPredictorsCloseOnceAndSaySoWhenUsed() throws Exception {
        int before = TestModels.liveArrays();
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1, WordTokenizer.exercise())) {
            lm.save(dir);
        }
        LanguageModel lm = LanguageModel.load(dir);
        InferenceSession session = lm.newSession();
        session.prefill(new int[] {1, 2});
        session.close();
        session.close();
        closed("this InferenceSession is closed", () -> session.append(3));
        closed("this InferenceSession is closed", () -> session.prefill(new int[] {1}));
        closed("this InferenceSession is closed", session::cache);

        KvCache cache = new KvCache(lm.zooModel().getNDManager(), lm.config());
        try (Predictor<StepInput, StepOutput> predictor = lm.zooModel().newPredictor()) {
            predictor.predict(StepInput.of(new int[] {1, 2, 3}, cache));
        }
        cache.close();
        cache.close();
        for (Executable use :
                List.<Executable>of(
                        cache::length,
                        cache::batchSize,
                        cache::capacity,
                        cache::bytes,
                        cache::clear,
                        () -> cache.expect(8),
                        () -> cache.reserve(1, 1),
                        () -> cache.advance(1),
                        () -> cache.reorder(new int[] {0}),
                        () -> StepInput.of(new int[] {1}, cache))) {
            closed("this KV cache is closed", use);
        }

        InferenceSession orphan = lm.newSession();
        lm.close();
        lm.close();
        closed("this LanguageModel is closed", lm::newSession);
        closed(
                "this LanguageModel is closed",
                () -> lm.generate(new int[] {1}, GenerationOptions.greedy(1)));
        closed(
                "this LanguageModel is closed",
                () ->
                        lm.generate(
                                List.of(new int[] {1}),
                                GenerationOptions.greedy(1),
                                TokenListener.NONE));
        closed("this LanguageModel is closed", () -> lm.save(dir.resolve("again")));
        closed("this LanguageModel is closed", lm::zooModel);
        closed("this LanguageModel is closed", lm::block);
        closed("the model of this InferenceSession is closed", () -> orphan.prefill(new int[] {1}));
        orphan.close();

        // DJL's own ZooModel and Predictor: closing twice is harmless, and DJL refuses a closed
        // one.
        ZooModel<StepInput, StepOutput> zoo = GptCriteria.steps(dir).loadModel();
        Predictor<StepInput, StepOutput> predictor = zoo.newPredictor();
        predictor.close();
        predictor.close();
        TranslateException refused =
                assertThrows(
                        TranslateException.class,
                        () -> predictor.predict(StepInput.of(new int[] {1}, null)));
        assertInstanceOf(IllegalStateException.class, refused.getCause());
        assertEquals("NDManager has been closed already.", refused.getCause().getMessage());
        zoo.close();
        zoo.close();
        closed("NDManager has been closed already", zoo::newPredictor);

        assertEquals(before, TestModels.liveArrays(), "every array is freed");
    }

    @Test
    void readersAndTrainingRunsToo() throws Exception {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            lm.save(dir.resolve("m"));
        }
        SafetensorsReader reader = SafetensorsReader.open(dir.resolve("m/model.safetensors"));
        reader.close();
        reader.close();
        closed("this SafetensorsReader of", () -> reader.readFloat32("wte.weight", null));

        String corpus = "to be or not to be, that is the question.\n".repeat(20);
        CharTokenizer chars = CharTokenizer.fromCorpus(corpus, false);
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(chars.vocabSize())
                        .contextLength(16)
                        .layers(1)
                        .heads(1)
                        .dModel(16)
                        .mlpHidden(32)
                        .activation(dev.tinygpt.config.Activation.GELU)
                        .build();
        TrainingRun run =
                TrainingRun.start(
                        config, chars, corpus, TrainingOptions.defaults(4), dir.resolve("run"));
        run.close();
        run.close();
        closed("this TrainingRun is closed", run::initialLoss);
        closed("this TrainingRun is closed", () -> run.train(4, null));
        assertTrue(Files.exists(dir.resolve("run")));
        // The run's lock went with it: the directory can be resumed... once it holds a checkpoint.
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.resume(dir.resolve("run"), corpus));
        assertTrue(e.getMessage().startsWith("no training checkpoint"), e.getMessage());
    }

    private static void closed(String message, Executable use) {
        IllegalStateException e = assertThrows(IllegalStateException.class, use);
        assertTrue(e.getMessage().contains(message), () -> "message was: " + e.getMessage());
    }
}
