package dev.tinygpt.translator;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.tinygpt.config.GptConfig;

/**
 * DJL's causal-LM convention, so {@code ai.djl.modality.nlp.generate.TextGenerator} can drive the
 * model: {@code [inputIds (B,T), positionIds (B,T), attentionMask (B,P+T), k0, v0, …]} in, each
 * past exactly {@code (B,nh,P,hs)}, and a {@link CausalLMOutput} of logits {@code (B,T,V)} and the
 * present {@code k0', v0', …}, {@code (B,nh,P+T,hs)}, out. A thin adapter over the model's
 * preallocated-cache contract: each past grows by T empty slots, which the step fills.
 *
 * <p>Ownership: the inputs stay the caller's; they are lent to the step's manager for the forward
 * so temporaries die with the step, and the outputs are attached to the manager of the caller's
 * {@code inputIds}, whose owner closes them (TextGenerator's {@code NDScope} does).
 */
public final class CausalLmTranslator implements NoBatchifyTranslator<NDList, CausalLMOutput> {
    private static final String OWNER = "tinygpt.owner";

    private final GptConfig config;

    public CausalLmTranslator(GptConfig config) {
        this.config = config;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, NDList input) {
        int pastArrays = 2 * config.layers();
        if (input.size() != 3 && input.size() != 3 + pastArrays) {
            throw new IllegalArgumentException(
                    "expected [inputIds, positionIds, attentionMask] plus "
                            + pastArrays
                            + " past key/value arrays or none, got "
                            + input.size()
                            + " arrays");
        }
        NDArray ids = input.get(0);
        Shape idShape = ids.getShape();
        if (idShape.dimension() != 2 || idShape.get(1) == 0) {
            throw new IllegalArgumentException(
                    "inputIds must be (batch, positions) with at least one position, got "
                            + idShape);
        }
        long past = input.size() > 3 ? input.get(3).getShape().get(2) : 0;
        requireShape("positionIds", input.get(1), idShape);
        requireShape(
                "attentionMask", input.get(2), new Shape(idShape.get(0), past + idShape.get(1)));

        ctx.setAttachment(OWNER, ids.getManager());
        input.tempAttach(ctx.getNDManager()); // from here on, temporaries die with the step
        StepChecks.tokenIds(ids.toType(DataType.INT64, false).toLongArray(), config);
        StepChecks.positionIds(input.get(1).toType(DataType.INT64, false).toLongArray(), config);
        NDList step = new NDList(input.subNDList(0, 3));
        for (NDArray pastArray : input.subNDList(3)) {
            Shape s = pastArray.getShape(); // (B,nh,P,hs) -> (B,nh,P+T,hs), the new slots empty
            step.add(
                    pastArray.concat(
                            ctx.getNDManager()
                                    .zeros(new Shape(s.get(0), s.get(1), idShape.get(1), s.get(3))),
                            2));
        }
        return step;
    }

    @Override
    public CausalLMOutput processOutput(TranslatorContext ctx, NDList output) {
        NDManager owner = (NDManager) ctx.getAttachment(OWNER);
        output.attach(owner);
        return new CausalLMOutput(output.get(0), output.subNDList(1));
    }

    private static void requireShape(String name, NDArray array, Shape expected) {
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    name + " must have shape " + expected + ", got " + array.getShape());
        }
    }
}
