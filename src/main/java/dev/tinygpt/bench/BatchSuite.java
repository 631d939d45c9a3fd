package dev.tinygpt.bench;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.Generator;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench --suite batch}: batched greedy generation against one prompt at a time, on the
 * exercise preset and GPT-2 small's (random weights): B prompts of 8–16 tokens, {@value
 * #NEW_TOKENS} new tokens each, for B = 1, 4 and 16. Prints a Markdown table, tokens/s medians over
 * repeats.
 */
public final class BatchSuite {
    private static final int NEW_TOKENS = 32;

    private static final GenerationOptions OPTIONS =
            GenerationOptions.greedy(NEW_TOKENS).toBuilder().stopAtEos(false).build();

    private BatchSuite() {}

    public static void run(int repeats) {
        System.out.print(
                """
                ## Batched greedy generation vs one prompt at a time (32 new tokens each)

                | model | batch | one-by-one tokens/s | batched tokens/s | gain |
                |---|---|---|---|---|
                """);
        for (String name : List.of("exercise", "gpt2-small")) {
            GptConfig config = Presets.byName(name).config();
            try (LanguageModel lm = LanguageModel.create(config, 1, null);
                    InferenceSession session = lm.newSession()) {
                for (int b : new int[] {1, 4, 16}) {
                    row(name, session, prompts(b, config.vocabSize()), repeats);
                }
            }
        }
        System.out.println();
    }

    /** One table row: the same prompts one by one and as one batch. */
    private static void row(
            String model, InferenceSession session, List<int[]> prompts, int repeats) {
        double tokens = prompts.size() * NEW_TOKENS;
        double[] single = new double[repeats];
        double[] batched = new double[repeats];
        long warm = System.nanoTime() + 2_000_000_000L; // twice and 2 s: JIT, libtorch warm-up
        for (int i = 0; i < 2 || System.nanoTime() < warm; i++) {
            oneByOne(session, prompts);
            batched(session, prompts);
        }
        for (int r = 0; r < repeats; r++) {
            single[r] = tokens / (oneByOne(session, prompts) / 1000);
            batched[r] = tokens / (batched(session, prompts) / 1000);
        }
        double s = Stats.median(single);
        double t = Stats.median(batched);
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %,.0f | %,.0f | %.2f× |%n",
                model,
                prompts.size(),
                s,
                t,
                t / s);
    }

    /** Milliseconds to generate for each prompt on its own. */
    private static double oneByOne(InferenceSession session, List<int[]> prompts) {
        double total = 0;
        for (int[] prompt : prompts) {
            total += Generator.generate(session, prompt, OPTIONS).totalMillis();
        }
        return total;
    }

    /** Milliseconds to generate for every prompt in one batch. */
    private static double batched(InferenceSession session, List<int[]> prompts) {
        return Generator.generate(session, prompts, OPTIONS, null, TokenListener.NONE)
                .totalMillis();
    }

    /** {@code b} prompts of 8–16 random ids: lengths seeded by b, prompt i's ids by i. */
    private static List<int[]> prompts(int b, int vocab) {
        Random lengths = new Random(b);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Random ids = new Random(i);
            int[] prompt = new int[8 + lengths.nextInt(9)];
            Arrays.setAll(prompt, j -> ids.nextInt(vocab));
            prompts.add(prompt);
        }
        return prompts;
    }
}
