package dev.tinygpt.cli;

import dev.tinygpt.engine.IntraOpThreads;
import picocli.CommandLine.Option;

/**
 * {@code --threads N}: libtorch's intra-op threads for every step, overriding the per-step choice
 * and {@code TINYGPT_THREADS} ({@link IntraOpThreads}). A picocli mixin, so every command that runs
 * a model spells and checks it the same way.
 */
final class ThreadsOption {
    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "Intra-op threads for every step (default: 1 per step below 1 GFLOP of matmul"
                            + " work, every core above; TINYGPT_THREADS=N sets it too).")
    Integer threads;

    /** Pins the threads if the option was given; checks the environment variable otherwise. */
    void apply() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
            }
            IntraOpThreads.pin(threads);
        } else {
            IntraOpThreads.pinned(); // a bad TINYGPT_THREADS is an error before any work
        }
    }
}
