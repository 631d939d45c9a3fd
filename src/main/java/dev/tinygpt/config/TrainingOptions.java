package dev.tinygpt.config;

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
        positive("max_iters", maxIters);
        positive("batch_size", batchSize);
        positive("eval_interval", evalInterval);
        positive("eval_iters", evalIters);
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learning_rate must be > 0 and finite, got " + learningRate);
        }
        if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
            throw new IllegalArgumentException(
                    "min_lr must be in [0, " + learningRate + "], got " + minLearningRate);
        }
        if (warmupIters < 0) {
            throw new IllegalArgumentException("warmup_iters must be ≥ 0, got " + warmupIters);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "weight_decay must be ≥ 0 and finite, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "betas (AdamW β1, β2) must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("grad_clip must be ≥ 0, got " + gradClip);
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException(
                    "val_fraction must be in (0, 1), got " + valFraction);
        }
    }

    /** nanoGPT's Shakespeare-char settings scaled to the iterations given. */
    public static TrainingOptions defaults(int maxIters) {
        return builder().maxIters(maxIters).build();
    }

    /**
     * A builder with nanoGPT's Shakespeare-char settings: batch 32, learning rate 1e-3 decaying to
     * 1e-4, AdamW (β 0.9, 0.99, weight decay 0.1), gradients clipped to norm 1, 20 batches per
     * estimate, 10% held out, seed 1337; warm-up and evaluation interval scale with the steps
     * unless set.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some. */
    public Builder toBuilder() {
        return builder()
                .maxIters(maxIters)
                .batchSize(batchSize)
                .learningRate(learningRate)
                .minLearningRate(minLearningRate)
                .warmupIters(warmupIters)
                .weightDecay(weightDecay)
                .betas(beta1, beta2)
                .gradClip(gradClip)
                .evalInterval(evalInterval)
                .evalIters(evalIters)
                .valFraction(valFraction)
                .seed(seed);
    }

    /** Builds {@link TrainingOptions}; they validate themselves when built. */
    public static final class Builder {
        private int maxIters = 2000;
        private int batchSize = 32;
        private float learningRate = 1e-3f;
        private Float minLearningRate;
        private Integer warmupIters;
        private float weightDecay = 0.1f;
        private float beta1 = 0.9f;
        private float beta2 = 0.99f;
        private float gradClip = 1f;
        private Integer evalInterval;
        private int evalIters = 20;
        private double valFraction = 0.1;
        private long seed = 1337;

        private Builder() {}

        public Builder maxIters(int n) {
            maxIters = n;
            return this;
        }

        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        public Builder learningRate(float lr) {
            learningRate = lr;
            return this;
        }

        /** The floor of the cosine decay; {@code min(1e-4, learning rate)} when not set. */
        public Builder minLearningRate(float lr) {
            minLearningRate = lr;
            return this;
        }

        /** Linear warm-up steps; {@code min(100, max_iters / 10)} when not set. */
        public Builder warmupIters(int n) {
            warmupIters = n;
            return this;
        }

        public Builder weightDecay(float decay) {
            weightDecay = decay;
            return this;
        }

        public Builder betas(float b1, float b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder gradClip(float clip) {
            gradClip = clip;
            return this;
        }

        /** Steps between estimates; {@code max(1, min(250, max_iters / 4))} when not set. */
        public Builder evalInterval(int n) {
            evalInterval = n;
            return this;
        }

        public Builder evalIters(int n) {
            evalIters = n;
            return this;
        }

        public Builder valFraction(double f) {
            valFraction = f;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public TrainingOptions build() {
            return new TrainingOptions(
                    maxIters,
                    batchSize,
                    learningRate,
                    minLearningRate != null ? minLearningRate : Math.min(1e-4f, learningRate),
                    warmupIters != null ? warmupIters : Math.min(100, maxIters / 10),
                    weightDecay,
                    beta1,
                    beta2,
                    gradClip,
                    evalInterval != null ? evalInterval : Math.max(1, Math.min(250, maxIters / 4)),
                    evalIters,
                    valFraction,
                    seed);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
