package dev.tinygpt.training;

import dev.tinygpt.config.TrainingOptions;

/**
 * nanoGPT's learning-rate schedule ({@code get_lr} in {@code train.py}): linear warmup to {@code
 * maxLr} over {@code warmupIters}, cosine decay to {@code minLr} at {@code decayIters}, then {@code
 * minLr}.
 */
public record LrSchedule(float maxLr, float minLr, int warmupIters, int decayIters) {
    public LrSchedule {
        if (!(maxLr > 0) || Float.isInfinite(maxLr)) {
            throw new IllegalArgumentException("maxLr must be positive and finite, got " + maxLr);
        }
        if (!(minLr >= 0 && minLr <= maxLr)) {
            throw new IllegalArgumentException(
                    "minLr must be in [0, maxLr = " + maxLr + "], got " + minLr);
        }
        if (warmupIters < 0) {
            throw new IllegalArgumentException(
                    "warmupIters must be at least 0, got " + warmupIters);
        }
        if (decayIters < warmupIters) {
            throw new IllegalArgumentException(
                    "decayIters ("
                            + decayIters
                            + ") must be at least warmupIters ("
                            + warmupIters
                            + ")");
        }
    }

    /** The schedule of a run: warm-up, then cosine to the floor at the last step. */
    public static LrSchedule of(TrainingOptions o) {
        return new LrSchedule(
                o.learningRate(),
                o.minLearningRate(),
                o.warmupIters(),
                Math.max(o.warmupIters(), o.maxIters()));
    }

    /** The learning rate for step {@code iter}, counted from 0. */
    public float lr(int iter) {
        if (iter < 0) {
            throw new IllegalArgumentException("iter must be at least 0, got " + iter);
        }
        if (iter < warmupIters) {
            // nanoGPT: (it + 1) / (warmup_iters + 1), so step 0 already takes a small step.
            return (float) ((double) maxLr * (iter + 1) / (warmupIters + 1));
        }
        if (iter >= decayIters) {
            // Equals the cosine's end point; also covers decayIters == warmupIters (no decay
            // phase).
            return minLr;
        }
        double ratio = (double) (iter - warmupIters) / (decayIters - warmupIters);
        double coeff = 0.5 * (1 + Math.cos(Math.PI * ratio)); // 1 -> 0
        return (float) (minLr + coeff * ((double) maxLr - minLr));
    }
}
