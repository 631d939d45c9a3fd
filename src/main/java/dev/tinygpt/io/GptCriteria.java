package dev.tinygpt.io;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.io.IOException;
import java.nio.file.Path;

/**
 * DJL {@link Criteria} for a tinygpt model directory, so a model loads the DJL way: {@code
 * criteria.loadModel()} gives a {@code ZooModel} and {@code newPredictor()} its {@code Predictor}.
 *
 * <p>Each Criteria carries a fresh {@link GptModel} block built from the directory's {@code
 * config.json}; it loads one model. Call again for another.
 */
public final class GptCriteria {
    private GptCriteria() {}

    /**
     * The typed step API: {@link StepInput} in, {@code float[]} logits of the last position in
     * {@link StepOutput} out, the KV cache kept in the input's {@code KvCache}.
     */
    public static Criteria<StepInput, StepOutput> steps(Path dir) throws IOException {
        return build(dir, null, StepInput.class, StepOutput.class, true);
    }

    /**
     * {@link #steps(Path)} for the model in {@code dir} with the LoRA adapter in {@code adapter}
     * applied unmerged (a PEFT adapter directory, {@link AdapterDirectory}).
     */
    public static Criteria<StepInput, StepOutput> steps(Path dir, Path adapter) throws IOException {
        return build(dir, adapter, StepInput.class, StepOutput.class, true);
    }

    /**
     * DJL's causal-LM convention ({@code NDList} in, {@link CausalLMOutput} out) that DJL's {@code
     * TextGenerator} drives.
     *
     * @param lastPositionOnly logits for the last position only, {@code (B,1,V)}, instead of every
     *     position, {@code (B,T,V)}
     */
    public static Criteria<NDList, CausalLMOutput> causalLm(Path dir, boolean lastPositionOnly)
            throws IOException {
        return build(dir, null, NDList.class, CausalLMOutput.class, lastPositionOnly);
    }

    /**
     * @param adapter a LoRA adapter directory, or null for none
     */
    private static <I, O> Criteria<I, O> build(
            Path dir, Path adapter, Class<I> input, Class<O> output, boolean lastPositionOnly)
            throws IOException {
        GptConfig config = ModelDirectory.readConfig(dir);
        LoraConfig lora = adapter == null ? null : AdapterDirectory.readConfig(adapter);
        Criteria.Builder<I, O> builder =
                Criteria.builder()
                        .setTypes(input, output)
                        .optModelPath(dir)
                        .optEngine("PyTorch")
                        .optBlock(new GptModel(config, lastPositionOnly, lora))
                        .optOption("hasParameter", "false") // weights come from model.safetensors
                        .optTranslatorFactory(new GptTranslatorFactory());
        if (adapter != null) {
            builder.optArgument(GptTranslatorFactory.ADAPTER, adapter.toString());
        }
        return builder.build();
    }
}
