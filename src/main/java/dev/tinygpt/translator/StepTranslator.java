package dev.tinygpt.translator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;

/**
 * The typed step translator: {@link StepInput} (Java ids, positions, mask and a {@link KvCache})
 * in, {@link StepOutput} ({@code float[]} logits) out. Inputs are created in the step's manager;
 * the cache's arrays are lent to it for the step, so every temporary of the forward dies with the
 * step. The present keys and values go to the cache, which closes the past ones. Nothing
 * NDArray-typed reaches the caller.
 */
public final class StepTranslator implements NoBatchifyTranslator<StepInput, StepOutput> {
    private static final String CACHE = "tinygpt.kv-cache";
    private static final String LENGTH = "tinygpt.kv-length";

    private final GptConfig config;

    public StepTranslator(GptConfig config) {
        this.config = config;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, StepInput input) {
        NDManager step = ctx.getNDManager();
        NDList list = arrays(step, input, config);
        KvCache cache = input.cache();
        if (cache != null) {
            ctx.setAttachment(CACHE, cache);
            ctx.setAttachment(LENGTH, input.attentionMask()[0].length);
            NDList past = cache.arrays();
            // Lend the past to the step: what the forward derives from it (concat, transposes)
            // then lives in the step's manager. Unless the cache takes them back in
            // processOutput, they return to the cache when the step closes.
            past.tempAttach(step);
            list.addAll(past);
        }
        return list;
    }

    /**
     * The first three arrays of the step contract, {@code [inputIds (B,T), positionIds (B,T),
     * attentionMask (B,P+T)]} int64, in {@code manager}; ids and positions are checked first.
     */
    public static NDList arrays(NDManager manager, StepInput input, GptConfig config) {
        int b = input.batchSize();
        int t = input.newPositions();
        long[] ids = flatten(input.tokenIds());
        long[] positions = flatten(input.positionIds());
        StepChecks.tokenIds(ids, config);
        StepChecks.positionIds(positions, config);
        long[] mask = flatten(input.attentionMask());
        return new NDList(
                manager.create(ids, new Shape(b, t)),
                manager.create(positions, new Shape(b, t)),
                manager.create(mask, new Shape(b, mask.length / b)));
    }

    @Override
    public StepOutput processOutput(TranslatorContext ctx, NDList output) {
        NDArray logits = output.get(0); // (B, T', V)
        Shape shape = logits.getShape();
        float[] values = logits.toFloatArray();
        KvCache cache = (KvCache) ctx.getAttachment(CACHE);
        if (cache != null) {
            cache.replace(output.subNDList(1), (Integer) ctx.getAttachment(LENGTH));
        }
        return new StepOutput(
                values,
                Math.toIntExact(shape.get(0)),
                Math.toIntExact(shape.get(1)),
                Math.toIntExact(shape.get(2)));
    }

    private static long[] flatten(int[][] rows) {
        int width = rows[0].length;
        long[] flat = new long[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < width; c++) {
                flat[r * width + c] = rows[r][c];
            }
        }
        return flat;
    }
}
