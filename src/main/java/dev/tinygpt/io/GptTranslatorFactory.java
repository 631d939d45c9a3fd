package dev.tinygpt.io;

import ai.djl.Model;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.translator.CausalLmTranslator;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import dev.tinygpt.translator.StepTranslator;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Makes the step translators for a {@link GptModel} and, the first time, reads the directory's
 * safetensors weights into it. DJL's {@code Criteria} loads a model with a block from DJL's own
 * {@code .params} files only; {@link GptCriteria} switches that off ({@code hasParameter=false}),
 * and this factory, which DJL calls with the loaded {@link Model}, fills the weights instead.
 *
 * <p>Supported types: {@code StepInput → StepOutput} and {@code NDList → CausalLMOutput}. The
 * argument {@value #ADAPTER} names a LoRA adapter directory whose weights go into the block's
 * adapters.
 */
public final class GptTranslatorFactory implements TranslatorFactory {
    /** The Criteria argument that names the adapter directory. */
    static final String ADAPTER = "adapter";

    private static final Set<Pair<Type, Type>> SUPPORTED =
            Set.of(
                    new Pair<>(StepInput.class, StepOutput.class),
                    new Pair<>(NDList.class, CausalLMOutput.class));

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return SUPPORTED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        Block block = model.getBlock();
        if (!(block instanceof GptModel gpt)) {
            throw new TranslateException("the model's block is not a GptModel: " + block);
        }
        try {
            Object adapter = arguments.get(ADAPTER);
            ensureWeights(gpt, model, adapter == null ? null : Path.of(adapter.toString()));
        } catch (RuntimeException e) {
            model.close(); // DJL's loader does not close a model whose translator fails
            throw e;
        }
        if (input == StepInput.class && output == StepOutput.class) {
            return (Translator<I, O>) new StepTranslator(gpt.config());
        }
        if (input == NDList.class && output == CausalLMOutput.class) {
            return (Translator<I, O>) new CausalLmTranslator(gpt.config());
        }
        throw new TranslateException("unsupported types " + input + " -> " + output);
    }

    private static void ensureWeights(GptModel gpt, Model model, Path adapter) {
        synchronized (gpt) {
            if (!gpt.isInitialized()) {
                Path dir = model.getModelPath();
                try {
                    ModelDirectory.loadWeights(gpt, dir, model.getNDManager());
                    if (adapter != null) {
                        AdapterDirectory.loadWeights(gpt, adapter, model.getNDManager());
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "cannot read weights in "
                                    + (adapter == null ? dir : dir + " and " + adapter)
                                    + ": "
                                    + e,
                            e);
                }
                return;
            }
            for (NamedParameter p : gpt.namedParameters()) {
                if (p.parameter().getArray().getManager() != model.getNDManager()) {
                    throw new IllegalStateException(
                            "this GptModel block already holds another model's weights; build a"
                                    + " new Criteria (and block) for each model you load");
                }
            }
        }
    }
}
