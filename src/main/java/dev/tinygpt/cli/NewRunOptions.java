package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.config.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * The options of {@code train} that set up a new run: a preset, and what overrides its model shape
 * and training settings. Each override defaults to the preset's value; {@code --help} shows the
 * default preset's (from {@link TrainDefaults}). A resumed run keeps its own, so {@code --resume}
 * refuses them all but {@code --max-iters} (see {@link TrainSettings}).
 */
final class NewRunOptions {
    /** The preset a run takes when no --preset is given. */
    static final String DEFAULT_PRESET = "char-small";

    /** How an option that defaults to the preset's value states its default. */
    private static final String PRESETS = "(default: the preset's; " + DEFAULT_PRESET + ": ";

    @Option(
            names = "--preset",
            defaultValue = DEFAULT_PRESET,
            paramLabel = "NAME",
            completionCandidates = Presets.Names.class,
            description =
                    "A char preset: char-tiny, char-small or shakespeare-char (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(
            names = "--layers",
            paramLabel = "N",
            description = "Transformer blocks " + PRESETS + "${bundle:default.layers}).")
    Integer layers;

    @Option(
            names = "--heads",
            paramLabel = "N",
            description = "Attention heads " + PRESETS + "${bundle:default.heads}).")
    Integer heads;

    @Option(
            names = "--d-model",
            paramLabel = "N",
            description = "Width of the residual stream " + PRESETS + "${bundle:default.d-model}).")
    Integer dModel;

    @Option(
            names = "--context",
            paramLabel = "N",
            description =
                    "Context length, n_positions "
                            + PRESETS
                            + "${bundle:default.context}); with --init-from, at most the model's,"
                            + " which is the default.")
    Integer context;

    @Option(
            names = "--dropout",
            paramLabel = "P",
            description =
                    "Dropout in training "
                            + PRESETS
                            + "${bundle:default.dropout}); with --init-from, the model's.")
    Float dropout;

    @Option(
            names = "--unk",
            description = "Add an <unk> token for characters the corpus lacks (default: off).")
    boolean unk;

    @Option(
            names = "--max-iters",
            paramLabel = "N",
            description =
                    "Optimizer steps; with --resume, the run's new total, at least its step "
                            + PRESETS
                            + "${bundle:default.max-iters}).")
    Integer maxIters;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Windows per step " + PRESETS + "${bundle:default.batch-size}).")
    Integer batchSize;

    @Option(
            names = "--lr",
            paramLabel = "LR",
            description = "Peak learning rate " + PRESETS + "${bundle:default.lr}).")
    Float lr;

    @Option(
            names = "--min-lr",
            paramLabel = "LR",
            description =
                    "Floor of the cosine decay (default: the preset's, at most --lr; "
                            + DEFAULT_PRESET
                            + ": ${bundle:default.min-lr}).")
    Float minLr;

    @Option(
            names = "--warmup-iters",
            paramLabel = "N",
            description =
                    "Linear warm-up steps (default: the preset's, at most --max-iters; "
                            + DEFAULT_PRESET
                            + ": ${bundle:default.warmup-iters}).")
    Integer warmupIters;

    @Option(
            names = "--weight-decay",
            paramLabel = "X",
            description =
                    "AdamW weight decay, matrices only "
                            + PRESETS
                            + "${bundle:default.weight-decay}).")
    Float weightDecay;

    @Option(
            names = "--grad-clip",
            paramLabel = "X",
            description =
                    "Clip the global gradient norm; 0 is off "
                            + PRESETS
                            + "${bundle:default.grad-clip}).")
    Float gradClip;

    @Option(
            names = "--eval-interval",
            paramLabel = "N",
            description =
                    "Estimate losses and checkpoint every N steps "
                            + PRESETS
                            + "${bundle:default.eval-interval}).")
    Integer evalInterval;

    @Option(
            names = "--eval-iters",
            paramLabel = "N",
            description = "Batches per loss estimate " + PRESETS + "${bundle:default.eval-iters}).")
    Integer evalIters;

    @Option(
            names = "--val-fraction",
            paramLabel = "F",
            description =
                    "Share of the corpus held out, its end "
                            + PRESETS
                            + "${bundle:default.val-fraction}).")
    Double valFraction;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description =
                    "Seed of the initialisation, batches and dropout "
                            + PRESETS
                            + "${bundle:default.seed}).")
    Long seed;

    /** The preset's shape with the options given and the corpus's vocabulary. */
    GptConfig config(int vocabSize) {
        GptConfig shape = preset().config();
        int width = or(dModel, shape.dModel());
        return shape.toBuilder()
                .vocabSize(vocabSize)
                .contextLength(or(context, shape.contextLength()))
                .layers(or(layers, shape.layers()))
                .heads(or(heads, shape.heads()))
                .dModel(width)
                .mlpHidden(GptConfig.defaultMlpHidden(width))
                .dropout(or(dropout, shape.dropout()))
                .build();
    }

    /** The preset's training settings with the options given. */
    TrainingOptions training() {
        TrainingOptions o = preset().training().orElseThrow();
        float peak = or(lr, o.learningRate());
        int steps = or(maxIters, o.maxIters());
        return o.toBuilder()
                .maxIters(steps)
                .batchSize(or(batchSize, o.batchSize()))
                .learningRate(peak)
                .minLearningRate(or(minLr, Math.min(o.minLearningRate(), peak)))
                .warmupIters(or(warmupIters, Math.min(o.warmupIters(), steps)))
                .weightDecay(or(weightDecay, o.weightDecay()))
                .gradClip(or(gradClip, o.gradClip()))
                .evalInterval(or(evalInterval, o.evalInterval()))
                .evalIters(or(evalIters, o.evalIters()))
                .valFraction(or(valFraction, o.valFraction()))
                .seed(or(seed, o.seed()))
                .build();
    }

    /** The chosen preset; train takes a char model, one with training settings. */
    private Preset preset() {
        Preset p = Presets.byName(preset);
        if (p.training().isEmpty()) {
            String charPresets =
                    String.join(
                            ", ",
                            Presets.all().stream()
                                    .filter(Preset::charLevel)
                                    .map(Preset::name)
                                    .toList());
            throw new IllegalArgumentException(
                    "--preset "
                            + preset
                            + " has no training settings; train takes a char model: "
                            + charPresets);
        }
        return p;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
