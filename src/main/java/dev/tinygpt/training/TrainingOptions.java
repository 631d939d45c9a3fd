package dev.tinygpt.training;

/**
 * Hyper-parameters of a training run (nanoGPT's names in brackets).
 *
 * @param maxIters optimizer steps [max_iters]
 * @param batchSize windows per step [batch_size]
 * @param learningRate peak learning rate [learning_rate]
 * @param minLearningRate the floor the cosine decays to [min_lr]
 * @param warmupIters linear warm-up steps [warmup_iters]
 * @param weightDecay AdamW decay of the matrices [weight_decay]
 * @param beta1 AdamW β1
 * @param beta2 AdamW β2
 * @param gradClip clip the global gradient norm to this; 0 is off [grad_clip]
 * @param evalInterval estimate losses every this many steps (and at the end) [eval_interval]
 * @param evalIters batches per loss estimate [eval_iters]
 * @param valFraction share of the corpus held out for validation (its end)
 * @param seed seeds the initialisation, the batches and dropout
 */
public record TrainingOptions(
        int maxIters,
        int batchSize,
        float learningRate,
        float minLearningRate,
        int warmupIters,
        float weightDecay,
        float beta1,
        float beta2,
        float gradClip,
        int evalInterval,
        int evalIters,
        double valFraction,
        long seed) {

    public TrainingOptions {
        positive("max iterations", maxIters);
        positive("batch size", batchSize);
        positive("eval interval", evalInterval);
        positive("eval iterations", evalIters);
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learning rate must be > 0 and finite, got " + learningRate);
        }
        if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
            throw new IllegalArgumentException(
                    "min learning rate must be in [0, "
                            + learningRate
                            + "], got "
                            + minLearningRate);
        }
        if (warmupIters < 0) {
            throw new IllegalArgumentException(
                    "warm-up iterations must be ≥ 0, got " + warmupIters);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "weight decay must be ≥ 0 and finite, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "AdamW betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("gradient clip must be ≥ 0, got " + gradClip);
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException(
                    "validation fraction must be in (0, 1), got " + valFraction);
        }
    }

    /** nanoGPT's Shakespeare-char settings scaled to the iterations given. */
    public static TrainingOptions defaults(int maxIters) {
        return new TrainingOptions(
                maxIters,
                32,
                1e-3f,
                1e-4f,
                Math.min(100, maxIters / 10),
                0.1f,
                0.9f,
                0.99f,
                1f,
                Math.max(1, Math.min(250, maxIters / 4)),
                20,
                0.1,
                1337);
    }

    /** The learning-rate schedule: warm-up, then cosine to the floor at the last step. */
    public LrSchedule schedule() {
        return new LrSchedule(
                learningRate, minLearningRate, warmupIters, Math.max(warmupIters, maxIters));
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
