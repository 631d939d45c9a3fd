package dev.tinygpt.bench;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.sampling.SamplingConfig;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The leak check, through the public API as a user drives it: one long {@code generate} call
 * (sampled, streamed through the model's tokenizer, sliding past the context window as often as it
 * takes), then many short calls, each with a Predictor and KV cache of its own. It samples the live
 * NDArrays under the model's manager, the process's RSS and the Java heap in use (after a GC) as it
 * goes. A leak-free engine shows all three flat: the arrays exactly, RSS and heap within the
 * allocator's noise.
 */
public final class Soak {
    /** One reading: how far the soak got and what was alive then. */
    public record Sample(
            String phase, long tokens, long calls, int liveArrays, long rssBytes, long heapBytes) {}

    /** Untimed work first, so the heap and the allocator reach their working size. */
    static final int WARMUP_TOKENS = 2_000;

    static final int WARMUP_CALLS = 100;

    private final LanguageModel model;

    public Soak(LanguageModel model) {
        this.model = model;
    }

    /**
     * After a warm-up, generates {@code tokens} tokens in one call (sampling every {@code tokens /
     * 10}), then makes {@code calls} calls of 8 tokens each (sampling every {@code calls / 10}).
     */
    public List<Sample> run(int tokens, int calls, Consumer<Sample> progress) {
        List<Sample> samples = new ArrayList<>();
        Consumer<Sample> record =
                s -> {
                    samples.add(s);
                    progress.accept(s);
                };
        int vocab = model.config().vocabSize();
        List<int[]> prompt = List.of(new int[] {1 % vocab, 2 % vocab, 3 % vocab});
        // Sampled, not greedy: a greedy tiny model falls into a loop, which would soak nothing new.
        SamplingConfig sampling = SamplingConfig.sampling(7);
        GenerationOptions shortRun =
                GenerationOptions.greedy(8).toBuilder().sampling(sampling).stopAtEos(false).build();
        long[] produced = {0};
        TokenListener count = (sequence, id, text) -> produced[0]++;
        model.generate(
                prompt,
                shortRun.toBuilder().maxNewTokens(WARMUP_TOKENS).build(),
                TokenListener.NONE);
        for (int c = 0; c < WARMUP_CALLS; c++) {
            model.generate(prompt, shortRun, TokenListener.NONE);
        }
        record.accept(sample("start", 0, 0));

        long every = Math.max(1, tokens / 10);
        TokenListener longListener =
                (sequence, id, text) -> {
                    count.onToken(sequence, id, text);
                    if (produced[0] % every == 0) {
                        record.accept(sample("one long call", produced[0], 1));
                    }
                };
        model.generate(prompt, shortRun.toBuilder().maxNewTokens(tokens).build(), longListener);
        int callsEvery = Math.max(1, calls / 10);
        for (int c = 1; c <= calls; c++) {
            model.generate(prompt, shortRun, count);
            if (c % callsEvery == 0) {
                record.accept(sample("short calls", produced[0], 1 + c));
            }
        }
        return samples;
    }

    /** {@code bench --suite soak}: on the exercise model (context 32: the long call slides). */
    public static void runOnExercise(int tokens, int calls) {
        System.out.println(
                "## Soak: live NDArrays, RSS and heap\n\n"
                        + "| phase | tokens | generate calls | live NDArrays | RSS | Java heap in use |\n"
                        + "|---|---|---|---|---|---|");
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1, WordTokenizer.exercise())) {
            new Soak(lm).run(tokens, calls, s -> System.out.println(markdownRow(s)));
        }
        System.out.println();
    }

    /** One sample as a Markdown table row. */
    private static String markdownRow(Sample s) {
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %d | %s | %s |",
                s.phase(),
                s.tokens(),
                s.calls(),
                s.liveArrays(),
                BenchReport.humanBytes(s.rssBytes()),
                BenchReport.humanBytes(s.heapBytes()));
    }

    /** Live NDArrays under the model's manager (parameters, caches, predictors, all). */
    public int liveArrays() {
        return liveArrays(model);
    }

    /** Live NDArrays under {@code model}'s manager (parameters, caches, predictors, all). */
    public static int liveArrays(LanguageModel model) {
        return model.zooModel().getNDManager().getManagedArrays().size();
    }

    private Sample sample(String phase, long tokens, long calls) {
        System.gc(); // the heap figure is what is live, not garbage waiting for a collection
        Runtime runtime = Runtime.getRuntime();
        return new Sample(
                phase,
                tokens,
                calls,
                liveArrays(),
                MachineProbe.residentBytes(),
                runtime.totalMemory() - runtime.freeMemory());
    }
}
