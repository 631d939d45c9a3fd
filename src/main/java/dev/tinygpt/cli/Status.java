package dev.tinygpt.cli;

import ai.djl.util.Utils;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a command tells the person at the terminal while it works, on standard error so standard
 * output stays the result: status lines, and progress bars when standard error is a terminal.
 * {@code --quiet} silences both.
 */
final class Status {
    /** A progress bar, or nothing when there is no terminal to draw it on. */
    interface Progress extends AutoCloseable {
        Progress NONE =
                new Progress() {
                    @Override
                    public void step(long n) {}

                    @Override
                    public void close() {}
                };

        void step(long n);

        @Override
        void close();
    }

    private final PrintStream err;
    private final boolean quiet;
    private final boolean terminal;

    Status(boolean quiet) {
        this.err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        this.quiet = quiet;
        this.terminal = System.console() != null;
    }

    /** A status line, unless quiet. */
    void line(String format, Object... args) {
        if (!quiet) {
            err.println(String.format(Locale.ROOT, format, args));
        }
    }

    /** A status line on a terminal only: what a log file would not want. */
    void interactive(String format, Object... args) {
        if (terminal) {
            line(format, args);
        }
    }

    /** A progress bar of {@code max} units on a terminal, cleared when done; else nothing. */
    Progress bar(String task, long max, String unit) {
        if (quiet || !terminal) {
            return Progress.NONE;
        }
        ProgressBar bar =
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(max)
                        .setUnit(" " + unit, 1)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(err))
                        .setUpdateIntervalMillis(200)
                        .clearDisplayOnFinish()
                        .build();
        return new Progress() {
            @Override
            public void step(long n) {
                bar.stepBy(n);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    /**
     * Says, before the engine starts for the first time on this machine, that it is about to unpack
     * libtorch (~430 MB) into DJL's cache: the one start that takes a while.
     */
    void firstStart() {
        Path cache = Utils.getEngineCacheDir("pytorch");
        if (!hasLibtorch(cache)) {
            line(
                    "tinygpt: first start on this machine: unpacking libtorch (~430 MB) into %s",
                    cache);
        }
    }

    private static boolean hasLibtorch(Path cache) {
        if (!Files.isDirectory(cache)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(cache)) {
            return dirs.anyMatch(d -> Files.isDirectory(d) && hasFile(d, "libtorch"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasFile(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }
}
