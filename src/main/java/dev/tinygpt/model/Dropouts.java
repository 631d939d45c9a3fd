package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;

/** Dropout that exists only in training; at inference it is the identity and costs no call. */
final class Dropouts {
    private Dropouts() {}

    static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
    }
}
