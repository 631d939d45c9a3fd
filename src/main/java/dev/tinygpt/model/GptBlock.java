package dev.tinygpt.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every tinygpt block shares: children and parameters under their GPT-2 checkpoint names, so
 * one walk of the block tree names every parameter as the checkpoint does ({@code
 * h.0.attn.c_attn.weight}), nanoGPT's {@code named_parameters()}; and one forward path per block,
 * the typed {@code apply} its parent calls. Only {@link GptModel}, the block DJL's {@code
 * Predictor} runs, has DJL's NDList {@code forward}; the parts refuse it rather than keep a second
 * path.
 */
abstract class GptBlock extends AbstractBlock {

    /**
     * Adds a child under {@code name} as given: DJL's {@code addChildBlock} prefixes a counter
     * ({@code 01wte}), which would put the counter into every parameter name.
     */
    protected final <B extends Block> B child(String name, B block) {
        children.add(name, block);
        return block;
    }

    /** Adds a parameter of a known shape, which loading and initialisation then fill. */
    protected final Parameter parameter(String name, Parameter.Type type, Shape shape) {
        // Gradients only where training asks for them, so inference on any thread builds no graph.
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(shape)
                        .optRequiresGrad(false)
                        .build());
    }

    /** Every parameter under this block, in insertion order, named {@code prefix + child.name}. */
    final List<NamedParameter> namedParameters(String prefix) {
        List<NamedParameter> list = new ArrayList<>();
        collect(prefix, this, list);
        return list;
    }

    private static void collect(String prefix, Block block, List<NamedParameter> into) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            into.add(new NamedParameter(prefix + p.getKey(), p.getValue()));
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(prefix + child.getKey() + ".", child.getValue(), into);
        }
    }

    /** Every block under this one by its path ({@code h.0.attn.c_attn}), parents first. */
    final Map<String, Block> namedBlocks(String prefix) {
        Map<String, Block> blocks = new LinkedHashMap<>();
        for (Pair<String, Block> child : getChildren()) {
            String name = prefix + child.getKey();
            blocks.put(name, child.getValue());
            if (child.getValue() instanceof GptBlock g) {
                blocks.putAll(g.namedBlocks(name + "."));
            }
        }
        return blocks;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " runs inside GptModel through its apply method");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " runs inside GptModel through its apply method");
    }
}
