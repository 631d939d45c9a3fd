package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A parameter under its GPT-2 checkpoint name ({@code h.0.attn.c_attn.weight}). Its shape is the
 * one the config implies, set when the block is built; loading or initialising sets an array of
 * exactly that shape.
 */
public record NamedParameter(String name, Parameter parameter) {

    public Shape shape() {
        return parameter.getShape();
    }

    /**
     * Gives the parameter its values (from a checkpoint or an initialisation), which must have the
     * shape the config implies. DJL fills a parameter of known shape through its initializer, so
     * the initializer here hands over the array as it is.
     */
    public void set(NDArray array) {
        if (!array.getShape().equals(shape())) {
            throw new IllegalArgumentException(
                    name + " must have shape " + shape() + ", got " + array.getShape());
        }
        parameter.setInitializer((manager, shape, type) -> array);
        parameter.initialize(array.getManager(), array.getDataType());
    }

    /** Number of scalars this parameter holds. */
    public long size() {
        return shape().size();
    }

    /** Whether the parameter is a weight matrix (2-D), the kind weight decay applies to. */
    public boolean isMatrix() {
        return shape().dimension() == 2;
    }
}
