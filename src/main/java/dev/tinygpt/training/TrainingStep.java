package dev.tinygpt.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.translator.StepInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The model being trained and one optimizer step of it, on DJL's training API: the batch of step
 * {@code i}, the model's forward in training mode (dropout on), cross-entropy over {@code (B·T, V)}
 * with DJL's {@code Loss}, a {@link GradientCollector} backward, global gradient-norm clipping,
 * then {@link AdamWOptimizer}. The loss estimate is the mean loss over fixed batches of each split,
 * dropout off.
 *
 * <p>With LoRA adapters only they train: the base weights never require gradients, so autograd
 * computes none for them and AdamW keeps moments for the adapters alone.
 *
 * <p>Determinism: the batch of step {@code i} and its dropout masks are drawn from the seed and
 * {@code i} alone, so a step taken after a resume is the step the uninterrupted run takes.
 */
final class TrainingStep implements AutoCloseable {
    private final GptConfig config;
    private final TrainingOptions options;
    private final TextDataset data;
    private final Model model;
    private final GptModel block;
    private final List<NamedParameter> trainable;
    private final AdamWOptimizer optimizer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<TextDataset.Batch> trainProbe;
    private final List<TextDataset.Batch> validationProbe;

    /**
     * A model with the shape of {@code config} and the adapters of {@code lora} (null: none, every
     * parameter trains), its parameters not yet initialised or loaded. {@code options} give the
     * batch size, seed, gradient clip, AdamW settings and evaluation batches; the total steps are
     * the run's business.
     */
    TrainingStep(GptConfig config, LoraConfig lora, TrainingOptions options, TextDataset data) {
        this.config = config;
        this.options = options;
        this.data = data;
        // The evaluation batches and the block first (a LoRA target that names no projection is
        // refused there): they are plain Java, and nothing native is held yet if they fail.
        Random probe = new Random(options.seed() + 7);
        this.trainProbe = probes(TextDataset.Split.TRAIN, probe);
        this.validationProbe = probes(TextDataset.Split.VALIDATION, probe);
        this.block = new GptModel(config, false, lora);
        this.model = Model.newInstance("tinygpt-train", "PyTorch");
        this.model.setBlock(block);
        this.trainable = lora == null ? block.namedParameters() : block.adapterParameters();
        this.optimizer =
                new AdamWOptimizer(
                        model.getNDManager(),
                        options.beta1(),
                        options.beta2(),
                        1e-8f,
                        options.weightDecay());
    }

    GptModel block() {
        return block;
    }

    /** The manager of the parameters and the optimizer's moments. */
    NDManager manager() {
        return model.getNDManager();
    }

    AdamWOptimizer optimizer() {
        return optimizer;
    }

    /** Tokens in one step's batch, {@code batch × context}. */
    long tokensPerStep() {
        return (long) options.batchSize() * config.contextLength();
    }

    /** The parameters that train: all of them, or the adapters'. */
    List<NamedParameter> trainable() {
        return trainable;
    }

    /** Marks the trainable parameters for gradients, once they are initialised or loaded. */
    void requireGradients() {
        for (NamedParameter p : trainable) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** One optimizer step on the batch of step {@code iter}, counted from 0; returns its loss. */
    float run(int iter, float lr) {
        TextDataset.Batch batch =
                data.sample(
                        TextDataset.Split.TRAIN,
                        options.batchSize(),
                        config.contextLength(),
                        new Random(options.seed() * 1_000_003L + iter));
        Engine.getInstance()
                .setRandomSeed((int) (options.seed() * 31 + iter)); // dropout of this step
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = forwardLoss(scratch, batch, true);
                value = l.getFloat();
                collector.backward(l);
            }
            clipGradients(scratch);
            optimizer.step(trainable, lr);
            return value;
        }
    }

    /** Mean loss over the split's fixed batches, dropout off and no gradients recorded. */
    double estimate(TextDataset.Split split) {
        List<TextDataset.Batch> batches =
                split == TextDataset.Split.TRAIN ? trainProbe : validationProbe;
        double sum = 0;
        for (TextDataset.Batch batch : batches) {
            try (NDManager scratch = model.getNDManager().newSubManager()) {
                sum += forwardLoss(scratch, batch, false).getFloat();
            }
        }
        return sum / batches.size();
    }

    /** Logits of the last position of {@code ids} (dropout off). */
    float[] lastLogits(int[] ids) {
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            NDList inputs = StepInput.of(ids, null).toArrays(scratch, config);
            NDArray logits =
                    block.forward(new ParameterStore(scratch, false), inputs, false).get(0);
            return logits.get(new NDIndex("0, -1, :")).toFloatArray(); // (1,T,V) -> (V)
        }
    }

    /** Loss of one batch: logits (B,T,V) -> (B·T, V) against targets (B·T). */
    private NDArray forwardLoss(NDManager m, TextDataset.Batch batch, boolean training) {
        int b = batch.inputs().length;
        int t = batch.inputs()[0].length;
        NDList inputs = StepInput.rows(batch.inputs()).toArrays(m, config);
        NDArray logits = block.forward(new ParameterStore(m, false), inputs, training).get(0);
        NDArray flat = logits.reshape(b * t, config.vocabSize()); // (B,T,V) -> (B·T, V)
        NDArray labels = m.create(batch.targets()).reshape(b * t).toType(DataType.INT64, false);
        return loss.evaluate(new NDList(labels), new NDList(flat));
    }

    /** Clips the global gradient norm of the trainable parameters to the options' limit. */
    private void clipGradients(NDManager m) {
        if (options.gradClip() <= 0) {
            return;
        }
        // getGradient() hands out a new handle (in the parameter's manager) each call: close them.
        List<NDArray> gradients = new ArrayList<>(trainable.size());
        try {
            for (NamedParameter p : trainable) {
                gradients.add(p.parameter().getArray().getGradient());
            }
            GradientClipping.clipGlobalNorm(gradients, options.gradClip(), m);
        } finally {
            gradients.forEach(NDArray::close);
        }
    }

    private List<TextDataset.Batch> probes(TextDataset.Split split, Random random) {
        List<TextDataset.Batch> list = new ArrayList<>(options.evalIters());
        for (int i = 0; i < options.evalIters(); i++) {
            list.add(data.sample(split, options.batchSize(), config.contextLength(), random));
        }
        return list;
    }

    /** Releases the parameters and the optimizer's moments. */
    @Override
    public void close() {
        optimizer.close();
        model.close();
    }
}
