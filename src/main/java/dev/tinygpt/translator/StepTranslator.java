package dev.tinygpt.translator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.engine.IntraOpThreads;
import dev.tinygpt.profile.Profile;

/**
 * The typed step translator: {@link StepInput} (Java ids, positions, mask and a {@link KvCache})
 * in, {@link StepOutput} ({@code float[]} logits) out. Inputs are created in the step's manager;
 * the cache's buffers are lent to it for the step, so every temporary of the forward dies with the
 * step while the buffers, written in place, go back to the cache. Nothing NDArray-typed reaches the
 * caller.
 */
public final class StepTranslator implements NoBatchifyTranslator<StepInput, StepOutput> {
    private static final String INPUT = "tinygpt.step-input";

    private final GptConfig config;

    public StepTranslator(GptConfig config) {
        this.config = config;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, StepInput input) {
        NDManager step = ctx.getNDManager();
        ctx.setAttachment(INPUT, input);
        int past = input.cache() == null ? 0 : input.cache().length();
        IntraOpThreads.useFor(config.stepFlops(input.batchSize(), input.newPositions(), past));
        NDList list = input.toArrays(step, config);
        KvCache cache = input.cache();
        if (cache != null) {
            NDList buffers = cache.reserve(input.batchSize(), input.newPositions());
            // Lent to the step: what the forward derives from them (views) lives in the step's
            // manager; they return to the cache when the step closes.
            buffers.tempAttach(step);
            list.addAll(buffers);
        }
        return list;
    }

    @Override
    public StepOutput processOutput(TranslatorContext ctx, NDList output) {
        NDArray logits = output.get(0); // (B, T', V)
        Shape shape = logits.getShape();
        float[] values;
        try (Profile.Section s = Profile.section(Profile.Kind.LOGITS_COPY)) {
            values = logits.toFloatArray();
        }
        StepInput input = (StepInput) ctx.getAttachment(INPUT);
        if (input.cache() != null) {
            input.cache().advance(input.newPositions()); // the forward wrote them in place
        }
        return new StepOutput(
                values,
                Math.toIntExact(shape.get(0)),
                Math.toIntExact(shape.get(1)),
                Math.toIntExact(shape.get(2)));
    }
}
