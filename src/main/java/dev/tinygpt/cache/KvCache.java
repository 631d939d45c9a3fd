package dev.tinygpt.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The past keys and values of every layer, as the NDList {@code k0, v0, k1, v1, …} of the step
 * contract, each {@code (B, nh, P, hs)}. The cache owns a manager of its own: a step's present
 * arrays are attached to it by {@link #replace}, which closes the past arrays they supersede, so
 * the cache holds exactly {@code 2·n_layer} arrays however long generation runs.
 *
 * <p>Not thread-safe: one cache belongs to one generation at a time.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int layers;
    private NDList arrays = new NDList();
    private int length;
    private boolean closed;

    /**
     * @param parent the manager to open the cache's own sub-manager under (the model's)
     * @param layers number of transformer layers
     */
    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.manager.setName("kv-cache");
        this.layers = layers;
    }

    /** Number of cached positions P (0 when empty). */
    public int length() {
        checkOpen();
        return length;
    }

    public boolean isEmpty() {
        return length() == 0;
    }

    /** The cached arrays {@code k0, v0, …}, empty when nothing is cached. Owned by the cache. */
    public NDList arrays() {
        checkOpen();
        return arrays;
    }

    /**
     * Takes a step's present keys and values as the new cache: attaches them to this cache's
     * manager and closes the past arrays that they replace.
     *
     * @param presents {@code 2·n_layer} arrays, each {@code (B, nh, P', hs)}
     */
    public void replace(NDList presents) {
        checkOpen();
        if (presents.size() != 2 * layers) {
            throw new IllegalArgumentException(
                    "expected " + (2 * layers) + " key/value arrays, got " + presents.size());
        }
        presents.attach(manager);
        NDList old = arrays;
        arrays = presents;
        length = Math.toIntExact(presents.get(0).getShape().get(2));
        for (NDArray array : old) {
            if (!containsSame(presents, array)) {
                array.close();
            }
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

    /** Drops every cached position (closing their arrays); the cache stays usable. */
    public void clear() {
        checkOpen();
        arrays.close();
        arrays = new NDList();
        length = 0;
    }

    /** Closes the cache and its arrays. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arrays = new NDList();
            length = 0;
            manager.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KV cache is closed");
        }
    }
}
