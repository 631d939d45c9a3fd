package dev.tinygpt.bench;

import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.Generator;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.sampling.SamplingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The leak check: a long generation (one call, sliding past the context window as often as it
 * takes) and then many short calls, sampling the live NDArrays under the model's manager and the
 * process's RSS as it goes. A leak-free engine shows both flat after the first sample.
 */
public final class Soak {
    /** One reading: how far the soak got and what was alive then. */
    public record Sample(String phase, long tokens, long calls, int liveArrays, long rssBytes) {}

    private final LanguageModel model;

    public Soak(LanguageModel model) {
        this.model = model;
    }

    /**
     * Generates {@code tokens} tokens in one call (sampling every {@code tokens / 10}), then makes
     * {@code calls} calls of 8 tokens each (sampling every {@code calls / 10}).
     */
    public List<Sample> run(long tokens, int calls, Consumer<Sample> progress) {
        List<Sample> samples = new ArrayList<>();
        Consumer<Sample> record =
                s -> {
                    samples.add(s);
                    progress.accept(s);
                };
        int vocab = model.config().vocabSize();
        int[] prompt = {1 % vocab, 2 % vocab, 3 % vocab};
        // Sampled, not greedy: a greedy tiny model falls into a loop, which would soak nothing new.
        SamplingConfig sampling = SamplingConfig.sampling(7);
        long[] produced = {0};
        // One call first, outside the count: the model makes its constant arrays on first use.
        model.generate(prompt, GenerationOptions.greedy(2));
        try (InferenceSession session = model.newSession()) {
            record.accept(sample("start", 0, 0));
            long every = Math.max(1, tokens / 10);
            TokenListener listener =
                    (sequence, id, text) -> {
                        produced[0]++;
                        if (produced[0] % every == 0) {
                            record.accept(sample("one long call", produced[0], 1));
                        }
                    };
            GenerationOptions longRun =
                    GenerationOptions.greedy(Math.toIntExact(tokens))
                            .withSampling(sampling)
                            .withStopAtEos(false);
            Generator.generate(session, List.of(prompt), longRun, null, listener);

            GenerationOptions shortRun =
                    GenerationOptions.greedy(8).withSampling(sampling).withStopAtEos(false);
            int callsEvery = Math.max(1, calls / 10);
            for (int c = 1; c <= calls; c++) {
                Generator.generate(session, prompt, shortRun);
                if (c % callsEvery == 0) {
                    record.accept(sample("short calls", produced[0] + 8L * c, 1 + c));
                }
            }
        }
        record.accept(sample("session closed", produced[0] + 8L * calls, 1 + calls));
        return samples;
    }

    /** The soak table's heading and header rows (Markdown). */
    public static String markdownHeader() {
        return "## Soak: live NDArrays and RSS\n\n"
                + "| phase | tokens | generate calls | live NDArrays | RSS |\n"
                + "|---|---|---|---|---|";
    }

    /** One sample as a Markdown table row. */
    public static String markdownRow(Sample s) {
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %d | %s |",
                s.phase(),
                s.tokens(),
                s.calls(),
                s.liveArrays(),
                BenchReport.humanBytes(s.rssBytes()));
    }

    /** Live NDArrays under the model's manager (parameters, caches, predictors, all). */
    public int liveArrays() {
        return model.zooModel().getNDManager().getManagedArrays().size();
    }

    private Sample sample(String phase, long tokens, long calls) {
        return new Sample(phase, tokens, calls, liveArrays(), MachineProbe.residentBytes());
    }
}
