package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.GptCriteria;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {
    static final String CORPUS =
            "To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer"
                    + " the slings and arrows of outrageous fortune, or to take arms against a sea of"
                    + " troubles and by opposing end them. To die: to sleep; no more; and by a sleep to"
                    + " say we end the heart-ache and the thousand natural shocks that flesh is heir to.\n";

    @TempDir Path dir;

    static GptConfig tiny(CharTokenizer tokenizer, int context, float dropout) {
        return GptConfig.builder()
                .vocabSize(tokenizer.vocabSize())
                .contextLength(context)
                .layers(2)
                .heads(2)
                .dModel(32)
                .mlpHidden(128)
                .activation(Activation.GELU)
                .dropout(dropout)
                .build();
    }

    static TrainingOptions options(int maxIters, int evalInterval, float lr) {
        return new TrainingOptions(
                maxIters, 8, lr, lr / 10, 5, 0.1f, 0.9f, 0.99f, 1f, evalInterval, 2, 0.2, 42);
    }

    static final TrainingListener QUIET =
            new TrainingListener() {
                @Override
                public void onStep(TrainingListener.Step step) {}

                @Override
                public void onEvaluation(TrainingListener.Evaluation evaluation) {}
            };

    @Test
    void lossAtInitialisationIsAboutLnVocabulary() throws Exception {
        String corpus = CORPUS.repeat(4);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus, false);
        try (TrainingRun run =
                TrainingRun.start(
                        tiny(tokenizer, 16, 0f), tokenizer, corpus, options(10, 10, 1e-3f), dir)) {
            double expected = Math.log(tokenizer.vocabSize());
            assertEquals(expected, run.initialLoss(), 0.3);
        }
    }

    @Test
    void aTinyCorpusIsMemorised() throws Exception {
        String corpus = "abcdefghijklmnop".repeat(40);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus, false);
        List<TrainingListener.Evaluation> evals = new ArrayList<>();
        try (TrainingRun run =
                TrainingRun.start(
                        tiny(tokenizer, 8, 0f), tokenizer, corpus, options(150, 150, 1e-2f), dir)) {
            run.train(
                    Integer.MAX_VALUE,
                    new TrainingListener() {
                        @Override
                        public void onStep(TrainingListener.Step step) {}

                        @Override
                        public void onEvaluation(TrainingListener.Evaluation evaluation) {
                            evals.add(evaluation);
                        }
                    });
        }
        assertEquals(1, evals.size());
        assertTrue(
                evals.get(0).trainLoss() < 0.05,
                "train loss after 150 steps: " + evals.get(0).trainLoss());
    }

    @Test
    void checkpointRoundTripGivesIdenticalLogits() throws Exception {
        String corpus = CORPUS.repeat(4);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus, false);
        int[] ids = tokenizer.encode("to be or not");
        float[] trained;
        try (TrainingRun run =
                TrainingRun.start(
                        tiny(tokenizer, 16, 0.1f),
                        tokenizer,
                        corpus,
                        options(12, 12, 1e-3f),
                        dir)) {
            run.train(Integer.MAX_VALUE, QUIET);
            trained = run.lastLogits(ids);
        }
        // The only evaluation is the best: the output directory holds exactly this model. The same
        // computation (logits at every position) on the loaded weights gives the same floats.
        for (Path modelDir : new Path[] {dir, dir.resolve("checkpoint")}) {
            try (ZooModel<NDList, CausalLMOutput> zoo =
                    GptCriteria.causalLm(modelDir, false).loadModel()) {
                float[][] all = TestModels.allLogits(zoo, ids);
                assertArrayEquals(trained, all[ids.length - 1], 0f, modelDir.toString());
            }
            try (LanguageModel lm = LanguageModel.load(modelDir);
                    InferenceSession s = lm.newSession()) {
                assertTrue(
                        TestModels.maxAbsDiff(trained, s.forward(ids)) < 1e-5f, "step API agrees");
                assertEquals("to be or not", lm.tokenizer().orElseThrow().decode(ids));
            }
        }
        assertTrue(Files.isRegularFile(dir.resolve("training.json")));
    }

    @Test
    void resumeEqualsAnUninterruptedRun() throws Exception {
        String corpus = CORPUS.repeat(4);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus, false);
        GptConfig config = tiny(tokenizer, 16, 0.1f); // dropout on: its masks must replay too
        Path whole = dir.resolve("whole");
        Path halves = dir.resolve("halves");
        List<float[]> uninterrupted;
        try (TrainingRun run =
                TrainingRun.start(config, tokenizer, corpus, options(20, 10, 1e-3f), whole)) {
            run.train(Integer.MAX_VALUE, QUIET);
            uninterrupted = weights(run);
        }
        try (TrainingRun run =
                TrainingRun.start(
                        config,
                        CharTokenizer.fromCorpus(corpus, false),
                        corpus,
                        options(20, 10, 1e-3f),
                        halves)) {
            run.train(10, QUIET); // "killed" after the checkpoint at step 10
        }
        try (TrainingRun run = TrainingRun.resume(halves, corpus)) {
            assertEquals(10, run.iteration());
            run.train(Integer.MAX_VALUE, QUIET);
            List<float[]> resumed = weights(run);
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), resumed.get(i), 0f, "parameter " + i);
            }
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.resume(halves, corpus + "x"));
        assertTrue(e.getMessage().contains("the corpus differs"), e.getMessage());
    }

    @Test
    void gradientClippingCapsTheGlobalNorm() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3, 0});
            NDArray b = m.create(new float[] {0, 4}); // global norm 5
            double before = GradientClipping.clipGlobalNorm(List.of(a, b), 1f, m);
            assertEquals(5.0, before, 1e-6);
            float norm =
                    (float) Math.sqrt(a.square().sum().getFloat() + b.square().sum().getFloat());
            assertEquals(1f, norm, 1e-5f);
            assertArrayEquals(new float[] {0.6f, 0}, a.toFloatArray(), 1e-5f); // direction kept
            NDArray c = m.create(new float[] {0.3f, 0.4f}); // norm 0.5: untouched
            GradientClipping.clipGlobalNorm(List.of(c), 1f, m);
            assertArrayEquals(new float[] {0.3f, 0.4f}, c.toFloatArray(), 0f);
        }
    }

    @Test
    void badInputIsNamed() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        assertMessage(
                "the corpus is empty",
                () ->
                        TrainingRun.start(
                                tiny(tokenizer, 16, 0f),
                                tokenizer,
                                "",
                                options(5, 5, 1e-3f),
                                dir.resolve("a")));
        assertMessage(
                "needs at least 17",
                () ->
                        TrainingRun.start(
                                tiny(tokenizer, 16, 0f),
                                tokenizer,
                                "To be, or not to be",
                                options(5, 5, 1e-3f),
                                dir.resolve("b")));
        assertMessage(
                "needs at least 1001",
                () ->
                        TrainingRun.start(
                                tiny(tokenizer, 1000, 0f),
                                tokenizer,
                                CORPUS,
                                options(5, 5, 1e-3f),
                                dir.resolve("c")));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertMessage(
                "cannot create output directory",
                () ->
                        TrainingRun.start(
                                tiny(tokenizer, 16, 0f),
                                tokenizer,
                                CORPUS.repeat(4),
                                options(5, 5, 1e-3f),
                                file.resolve("out")));
        try (TrainingRun run =
                TrainingRun.start(
                        tiny(tokenizer, 16, 0f),
                        tokenizer,
                        CORPUS.repeat(4),
                        options(5, 5, 1e-3f),
                        dir.resolve("d"))) {
            run.train(Integer.MAX_VALUE, QUIET);
        }
        assertMessage(
                "already holds a training run",
                () ->
                        TrainingRun.start(
                                tiny(tokenizer, 16, 0f),
                                tokenizer,
                                CORPUS.repeat(4),
                                options(5, 5, 1e-3f),
                                dir.resolve("d")));
        Path empty = Files.createDirectories(dir.resolve("e"));
        assertMessage("no training checkpoint in", () -> TrainingRun.resume(empty, CORPUS));
        assertMessage(
                "no training run to resume in",
                () -> TrainingRun.resume(dir.resolve("none"), CORPUS));
    }

    private static void assertMessage(
            String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    static List<float[]> weights(TrainingRun run) {
        List<float[]> list = new ArrayList<>();
        for (NamedParameter p : run.block().namedParameters()) {
            list.add(p.parameter().getArray().toFloatArray());
        }
        return list;
    }
}
