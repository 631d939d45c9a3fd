package dev.tinygpt.bench;

import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.LanguageModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --suite contention}: decode speed on an idle machine and with one other process busy
 * on one core (a JVM spinning in {@link #main}), alternating round by round so both see the same
 * machine. A shared server or a laptop running a build is the common case, and an engine that
 * spin-waits on every core can lose most of its speed to one busy neighbour.
 */
public final class Contention {
    /**
     * @param idleTokensPerSecond median decode tokens/s with nothing else running
     * @param busyTokensPerSecond median decode tokens/s with one core busy
     */
    public record Result(double idleTokensPerSecond, double busyTokensPerSecond, int rounds) {
        public double kept() {
            return busyTokensPerSecond / idleTokensPerSecond;
        }

        public String markdown(String model) {
            return String.format(
                    Locale.ROOT,
                    "| model | idle decode tokens/s | one core busy | kept |%n|---|---:|---:|---:|%n"
                            + "| %s | %.1f | %.1f | %.0f%% |%n%nMedians of %d rounds, alternating.%n",
                    model,
                    idleTokensPerSecond,
                    busyTokensPerSecond,
                    100 * kept(),
                    rounds);
        }
    }

    /** How long each sample generates. */
    private static final long SAMPLE_NANOS = 2_000_000_000L;

    private Contention() {}

    /** Spins one thread until killed: the busy neighbour. */
    public static void main(String[] args) {
        long x = 0;
        while (x != -1) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
    }

    /** Greedy decode of {@code tokens} tokens after a 16-token prompt, {@code rounds} rounds. */
    public static Result run(LanguageModel model, int tokens, int rounds) throws IOException {
        int[] prompt = new Random(1).ints(16, 0, model.config().vocabSize()).toArray();
        GenerationOptions options =
                GenerationOptions.greedy(tokens).toBuilder().stopAtEos(false).build();
        for (int i = 0; i < 3; i++) {
            model.generate(prompt, options); // warm-up
        }
        List<Double> idle = new ArrayList<>();
        List<Double> busy = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            idle.add(rate(model, prompt, options));
            Process neighbour = startNeighbour();
            try {
                Thread.sleep(300); // let it start spinning
                busy.add(rate(model, prompt, options));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                neighbour.destroyForcibly();
                try {
                    neighbour.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return new Result(Stats.median(idle), Stats.median(busy), rounds);
    }

    /**
     * Decode tokens/s over generations repeated for at least {@value #SAMPLE_NANOS} ns: one short
     * generation on a shared machine is at the mercy of a single scheduling hiccup.
     */
    private static double rate(LanguageModel model, int[] prompt, GenerationOptions options) {
        double tokens = 0;
        double seconds = 0;
        long end = System.nanoTime() + SAMPLE_NANOS;
        while (System.nanoTime() < end) {
            GenerationResult result = model.generate(prompt, options);
            double decoded = result.tokens().length - prompt.length - 1;
            tokens += decoded;
            seconds += decoded / result.decodeTokensPerSecond();
        }
        return tokens / seconds;
    }

    /** A second JVM spinning one thread, from this process's own Java and class path. */
    private static Process startNeighbour() throws IOException {
        return new ProcessBuilder(ChildJvm.command(List.of("-Xmx32m"), Contention.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
