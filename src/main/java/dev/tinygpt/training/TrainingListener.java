package dev.tinygpt.training;

/** Receives a {@link TrainingRun}'s progress: each optimizer step and each loss estimate. */
public interface TrainingListener {
    /** One optimizer step: {@code iter} steps taken of {@code maxIters}. */
    record Step(int iter, int maxIters, float loss, float learningRate, double tokensPerSecond) {}

    /** One loss estimate; {@code best} when it saved the model as the best so far. */
    record Evaluation(int iter, double trainLoss, double valLoss, boolean best) {}

    void onStep(Step step);

    void onEvaluation(Evaluation evaluation);
}
