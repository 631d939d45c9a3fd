package dev.tinygpt.cache;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The growing cache: the past arrays are exactly {@code (B, nh, P, hs)}, and each step's presents
 * (the past concatenated with the new positions) replace them.
 */
final class GrowingKvCache implements KvCache {
    private final CacheArrays arrays;

    GrowingKvCache(NDManager parent, int layers) {
        this.arrays = new CacheArrays(parent, "kv-cache", layers);
    }

    @Override
    public int length() {
        return arrays.length();
    }

    @Override
    public int batchSize() {
        return arrays.batchSize();
    }

    @Override
    public NDList arrays() {
        return arrays.list();
    }

    @Override
    public void replace(NDList presents, int length) {
        arrays.requireLayers(presents);
        long found = presents.get(0).getShape().get(2);
        if (found != length) {
            throw new IllegalArgumentException(
                    "presents hold " + found + " positions, expected " + length);
        }
        arrays.swap(presents, length);
    }

    @Override
    public void reorder(int[] rows) {
        arrays.reorder(rows);
    }

    @Override
    public void clear() {
        arrays.clear();
    }

    @Override
    public void close() {
        arrays.close();
    }
}
