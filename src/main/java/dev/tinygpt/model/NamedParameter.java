package dev.tinygpt.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A parameter under its GPT-2 checkpoint name ({@code h.0.attn.c_attn.weight}) with the shape the
 * config implies. The model's parameters are created without a shape; loading or initialising sets
 * an array of exactly this shape.
 */
public record NamedParameter(String name, Parameter parameter, Shape shape) {

    /** Number of scalars this parameter holds. */
    public long size() {
        return shape.size();
    }

    /** Whether the parameter is a weight matrix (2-D), the kind weight decay applies to. */
    public boolean isMatrix() {
        return shape.dimension() == 2;
    }
}
