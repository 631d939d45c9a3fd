package dev.tinygpt.cache;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The growing cache: the past arrays are exactly {@code (B, nh, P, hs)}, and each step's presents
 * (the past concatenated with the new positions) replace them.
 */
final class GrowingKvCache extends BaseKvCache {

    GrowingKvCache(NDManager parent, int layers) {
        super(parent, "kv-cache", layers);
    }

    @Override
    public NDList arrays() {
        return list();
    }

    @Override
    public void replace(NDList presents, int length) {
        requireLayers(presents);
        long found = presents.get(0).getShape().get(2);
        if (found != length) {
            throw new IllegalArgumentException(
                    "presents hold " + found + " positions, expected " + length);
        }
        swap(presents, length);
    }
}
