package dev.tinygpt.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * What both caches share: a manager of their own, the current list {@code k0, v0, …}, its length,
 * and the swap that adopts new arrays and closes the ones they replace. Subclasses decide what the
 * model is given as the past and how a step's presents become the new content.
 */
abstract sealed class BaseKvCache implements KvCache permits GrowingKvCache, StaticKvCache {
    private final NDManager manager;
    private final int layers;
    private NDList list = new NDList();
    private int length;
    private boolean closed;

    BaseKvCache(NDManager parent, String name, int layers) {
        this.manager = parent.newSubManager();
        this.manager.setName(name);
        this.layers = layers;
    }

    NDManager manager() {
        checkOpen();
        return manager;
    }

    @Override
    public int length() {
        checkOpen();
        return length;
    }

    @Override
    public int batchSize() {
        checkOpen();
        return list.isEmpty() ? 0 : Math.toIntExact(list.get(0).getShape().get(0));
    }

    @Override
    public long bytes() {
        checkOpen();
        long bytes = 0;
        for (NDArray a : list) {
            bytes += a.size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    NDList list() {
        checkOpen();
        return list;
    }

    void requireLayers(NDList presents) {
        checkOpen();
        if (presents.size() != 2 * layers) {
            throw new IllegalArgumentException(
                    "expected " + (2 * layers) + " key/value arrays, got " + presents.size());
        }
    }

    /** Adopts {@code next} (attaching it here) and closes every old array not in it. */
    void swap(NDList next, int newLength) {
        checkOpen();
        next.attach(manager);
        NDList old = list;
        list = next;
        length = newLength;
        for (NDArray array : old) {
            if (!containsSame(next, array)) {
                array.close();
            }
        }
    }

    /** Row {@code i} of every array becomes row {@code rows[i]} (an index select on axis 0). */
    @Override
    public void reorder(int[] rows) {
        checkOpen();
        if (length == 0) {
            return;
        }
        try (NDArray index = manager.create(rows)) {
            NDList reordered = new NDList(list.size());
            for (NDArray a : list) {
                reordered.add(a.get(new NDIndex("{}", index))); // (B, …) -> (B', …)
            }
            swap(reordered, length);
        }
    }

    @Override
    public void clear() {
        checkOpen();
        list.close();
        list = new NDList();
        length = 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            list = new NDList();
            length = 0;
            manager.close();
        }
    }

    /** Identity, not {@code equals}: PyTorch's NDArray equality compares contents. */
    private static boolean containsSame(NDList list, NDArray array) {
        for (NDArray a : list) {
            if (a == array) {
                return true;
            }
        }
        return false;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KV cache is closed");
        }
    }
}
