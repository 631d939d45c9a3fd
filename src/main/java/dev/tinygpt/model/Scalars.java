package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Scalar constants held as arrays, created once in the model's manager. DJL's {@code x.mul(2f)}
 * creates a scalar array from a Java buffer and frees it on every call; a layer that multiplies by
 * a constant each step reuses these instead. Created when the weights are set ({@link
 * GptModel#createConstants}; the weights' manager is not known before), or else on first use,
 * safely published for concurrent predictors, and freed with the model.
 */
final class Scalars {
    private final float[] values;
    private volatile NDArray[] arrays;

    Scalars(float... values) {
        this.values = values.clone();
    }

    /** The constants, in {@code weight}'s manager (the model's). */
    NDArray[] in(NDArray weight) {
        NDArray[] a = arrays;
        if (a == null) {
            synchronized (this) {
                a = arrays;
                if (a == null) {
                    NDManager manager = weight.getManager();
                    a = new NDArray[values.length];
                    for (int i = 0; i < values.length; i++) {
                        a[i] = manager.create(values[i]);
                        // The first use may run inside a caller's NDScope (DJL's TextGenerator
                        // opens one per step), which would close the constant with the step.
                        NDScope.unregister(a[i]);
                    }
                    arrays = a;
                }
            }
        }
        return a;
    }
}
