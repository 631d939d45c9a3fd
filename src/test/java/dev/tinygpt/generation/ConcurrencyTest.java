package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.sampling.Greedy;
import dev.tinygpt.sampling.SamplingConfig;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread-safety the Java API documents: one loaded model shared by 8 threads, each with its own
 * Predictor (a session, or DJL's Predictor with its own KV cache), generating at the same time —
 * greedy, sampled, batched, beam search, with and without the cache, both cache kinds, through the
 * shared tokenizer — gives every thread exactly the tokens and logits it gets alone, and leaves the
 * model as it was: the same parameter values, bit for bit, and the same arrays, no more.
 */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 3;

    @TempDir Path dir;

    /** One thread's work; its result is compared with the same work run alone. */
    private record Work(String name, List<int[]> tokens, List<float[]> logits) {}

    @Test
    void eightThreadsOnOneModelGetWhatTheyGetAlone() throws Exception {
        Tokenizer chars =
                CharTokenizer.fromCorpus(
                        "abcdefghijklmnopqrstuvwxyz ,.!?\nABCDEFGHIJKLMNOPQRSTUVW", false);
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(chars.vocabSize())
                        .contextLength(64)
                        .layers(2)
                        .heads(2)
                        .dModel(32)
                        .mlpHidden(64)
                        .tiedHead(false)
                        .build();
        try (LanguageModel created = LanguageModel.create(config, 9, chars)) {
            created.save(dir);
        }
        try (LanguageModel lm = LanguageModel.load(dir)) {
            ZooModel<StepInput, StepOutput> zoo = lm.zooModel();
            List<float[]> parameters = parameterValues(lm);
            Set<NDArray> arrays = managedArrays(zoo);

            List<Work> alone = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                alone.add(work(lm, t));
            }
            assertEquals(arrays, managedArrays(zoo), "generation alone adds no array to the model");

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<List<Work>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    List<Work> rounds = new ArrayList<>();
                                    for (int r = 0; r < ROUNDS; r++) {
                                        start.await(60, TimeUnit.SECONDS); // all threads at once
                                        rounds.add(work(lm, thread));
                                    }
                                    return rounds;
                                }));
            }
            for (int t = 0; t < THREADS; t++) {
                for (Work w : futures.get(t).get(300, TimeUnit.SECONDS)) {
                    Work expected = alone.get(t);
                    assertEquals(expected.name(), w.name());
                    assertEquals(expected.tokens().size(), w.tokens().size());
                    for (int i = 0; i < w.tokens().size(); i++) {
                        assertArrayEquals(
                                expected.tokens().get(i),
                                w.tokens().get(i),
                                w.name() + " sequence " + i);
                    }
                    for (int i = 0; i < w.logits().size(); i++) {
                        assertArrayEquals(
                                expected.logits().get(i),
                                w.logits().get(i),
                                0f,
                                w.name() + " step " + i);
                    }
                }
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));

            List<float[]> after = parameterValues(lm);
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(
                        parameters.get(i), after.get(i), 0f, "parameter " + i + " unchanged");
            }
            assertEquals(arrays, managedArrays(zoo), "the model holds the same arrays as before");
        }
    }

    /** Thread {@code t}'s work: its kind of generation, with prompts and seeds of its own. */
    private static Work work(LanguageModel lm, int t) throws Exception {
        Tokenizer tokenizer = lm.tokenizer().orElseThrow();
        int[] prompt = tokenizer.encode("Thread " + "abcdefgh".charAt(t) + " says hello, world");
        GenerationOptions greedy =
                GenerationOptions.greedy(60).toBuilder().stopAtEos(false).build();
        SamplingConfig sampled =
                SamplingConfig.sampling(100 + t).toBuilder()
                        .temperature(0.9f)
                        .topK(12)
                        .topP(0.95f)
                        .build();
        return switch (t) {
            case 0 -> generation("greedy, cached", lm, List.of(prompt), greedy);
            case 1 ->
                    generation(
                            "greedy, long",
                            lm,
                            List.of(prompt),
                            greedy.toBuilder()
                                    .maxNewTokens(3 * lm.config().contextLength())
                                    .build());
            case 2 ->
                    generation(
                            "greedy, no cache",
                            lm,
                            List.of(prompt),
                            greedy.toBuilder().kvCache(false).build());
            case 3 ->
                    generation(
                            "sampled",
                            lm,
                            List.of(prompt),
                            greedy.toBuilder().sampling(sampled).build());
            case 4 ->
                    generation(
                            "sampled batch",
                            lm,
                            List.of(
                                    prompt,
                                    tokenizer.encode("a"),
                                    tokenizer.encode("Quick brown fox.")),
                            greedy.toBuilder().sampling(sampled).build());
            case 5 ->
                    generation(
                            "beam search",
                            lm,
                            List.of(prompt),
                            GenerationOptions.greedy(12).toBuilder()
                                    .beams(
                                            new BeamOptions(
                                                    4, 1f, BeamOptions.EarlyStopping.FALSE, 2))
                                    .build());
            case 6 -> predictorSteps("DJL Predictor, growing cache", lm, prompt, true);
            default -> predictorSteps("DJL Predictor, cache sized up front", lm, prompt, false);
        };
    }

    private static Work generation(
            String name, LanguageModel lm, List<int[]> prompts, GenerationOptions options) {
        List<int[]> tokens = new ArrayList<>();
        List<String> texts = Collections.synchronizedList(new ArrayList<>());
        BatchResult result = lm.generate(prompts, options, (seq, id, text) -> texts.add(text));
        result.sequences().forEach(s -> tokens.add(s.tokens()));
        Tokenizer tokenizer = lm.tokenizer().orElseThrow();
        tokens.add(tokenizer.encode(tokenizer.decode(tokens.get(0)))); // the shared tokenizer too
        return new Work(name, tokens, List.of());
    }

    /** Greedy decoding step by step through DJL's Predictor API, keeping every step's logits. */
    private static Work predictorSteps(String name, LanguageModel lm, int[] prompt, boolean growing)
            throws Exception {
        ZooModel<StepInput, StepOutput> zoo = lm.zooModel();
        GptConfig config = lm.config();
        List<float[]> logits = new ArrayList<>();
        int[] tokens = Arrays.copyOf(prompt, prompt.length + 24);
        try (Predictor<StepInput, StepOutput> predictor = zoo.newPredictor();
                KvCache cache = new KvCache(zoo.getNDManager(), config)) {
            if (!growing) {
                cache.expect(config.contextLength());
            }
            float[] last = predictor.predict(StepInput.of(prompt, cache)).last(0);
            for (int i = prompt.length; i < tokens.length; i++) {
                logits.add(last);
                tokens[i] = Greedy.pick(last);
                last = predictor.predict(StepInput.of(new int[] {tokens[i]}, cache)).last(0);
            }
        }
        return new Work(name, List.of(tokens), logits);
    }

    private static List<float[]> parameterValues(LanguageModel lm) {
        List<float[]> values = new ArrayList<>();
        for (NamedParameter p : lm.block().namedParameters()) {
            values.add(p.parameter().getArray().toFloatArray());
        }
        return values;
    }

    /** The arrays the model's manager holds, by identity. */
    private static Set<NDArray> managedArrays(ZooModel<?, ?> zoo) {
        Set<NDArray> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(zoo.getNDManager().getManagedArrays());
        return set;
    }
}
