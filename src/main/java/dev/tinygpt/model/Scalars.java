package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Scalar constants held as arrays, created once in the model's manager. DJL's {@code x.mul(2f)}
 * creates a scalar array from a Java buffer and frees it on every call; a layer that multiplies by
 * a constant each step reuses these instead. Created on first use (the weights' manager is not
 * known before), safely published for concurrent predictors, and freed with the model.
 */
final class Scalars {
    private final float[] values;
    private volatile NDArray[] arrays;

    Scalars(float... values) {
        this.values = values.clone();
    }

    /**
     * The constants, in {@code weight}'s manager (the model's). Made again if that manager closed
     * them (a block whose weights were replaced by a later load).
     */
    NDArray[] in(NDArray weight) {
        NDArray[] a = arrays;
        if (a != null && !a[0].isReleased()) {
            return a;
        }
        synchronized (this) {
            a = arrays;
            if (a == null || a[0].isReleased()) {
                NDManager manager = weight.getManager();
                a = new NDArray[values.length];
                for (int i = 0; i < values.length; i++) {
                    a[i] = manager.create(values[i]);
                }
                arrays = a;
            }
            return a;
        }
    }
}
