package dev.tinygpt.cli;

import dev.tinygpt.training.TrainingListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A run's progress, for standard error. On a terminal: a progress bar (me.tongfei's progressbar)
 * with the step, the time elapsed and the ETA, and the last step's loss, learning rate and
 * tokens/s. Elsewhere (a log file, a pipe): a plain line at the first step and every 2 % of the run
 * with the same figures. Every evaluation gets a line either way.
 */
final class TrainProgress implements TrainingListener, AutoCloseable {
    /** ANSI: back to the start of the line and erase it, so a line can take the bar's place. */
    private static final String ERASE_LINE = "\r\033[2K";

    private final PrintStream out;
    private final ProgressBar bar;
    private final int firstIter;
    private final long start = System.nanoTime();
    private TrainingListener.Step last;

    /**
     * @param bar the bar to move, or null for plain lines
     * @param firstIter the steps the run had taken before this session
     */
    TrainProgress(PrintStream out, ProgressBar bar, int firstIter) {
        this.out = out;
        this.bar = bar;
        this.firstIter = firstIter;
    }

    /** Progress of a session that starts at step {@code from} of {@code maxIters}. */
    static TrainProgress of(PrintStream out, boolean terminal, int from, int maxIters) {
        return new TrainProgress(out, terminal ? bar(out, from, maxIters, 0) : null, from);
    }

    /** A bar at most {@code width} characters wide; the terminal's width when 0. */
    static ProgressBar bar(PrintStream out, int from, int maxIters, int width) {
        return new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(maxIters)
                .startsFrom(from, Duration.ZERO) // the ETA counts this session's steps only
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(out, width))
                .build();
    }

    @Override
    public void onStep(TrainingListener.Step s) {
        last = s;
        String figures =
                String.format(
                        Locale.ROOT,
                        "loss %.4f | lr %.2e | %,.0f tokens/s",
                        s.loss(),
                        s.learningRate(),
                        s.tokensPerSecond());
        if (bar != null) {
            bar.setExtraMessage(figures);
            bar.stepTo(s.iter());
        } else if (s.iter() == firstIter + 1 || s.iter() % Math.max(1, s.maxIters() / 50) == 0) {
            out.printf(
                    Locale.ROOT,
                    "step %d/%d | %s | %s, eta %s%n",
                    s.iter(),
                    s.maxIters(),
                    figures,
                    clock(elapsedSeconds()),
                    clock(elapsedSeconds() / (s.iter() - firstIter) * (s.maxIters() - s.iter())));
        }
    }

    @Override
    public void onEvaluation(TrainingListener.Evaluation e) {
        String line =
                String.format(
                        Locale.ROOT,
                        "eval step %d | train loss %.4f | val loss %.4f | lr %.2e | %,.0f tokens/s%s | %s",
                        e.iter(),
                        e.trainLoss(),
                        e.valLoss(),
                        last == null ? 0f : last.learningRate(),
                        last == null ? 0.0 : last.tokensPerSecond(),
                        e.best() ? " | best, saved" : "",
                        clock(elapsedSeconds()));
        // The bar redraws itself on the next line at its next step.
        out.print((bar != null ? ERASE_LINE : "") + line + System.lineSeparator());
        out.flush();
    }

    /** Stops the bar (it draws its last state and ends its line). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code H:MM:SS}, as the bar shows time. */
    private static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
