package dev.tinygpt.cache;

import ai.djl.ndarray.NDManager;
import java.util.Locale;

/** Which {@link KvCache} a session uses. */
public enum CacheKind {
    /** {@link KvCache#growing}: concatenate each step onto the past. */
    GROWING,
    /** {@link KvCache#preallocated}: buffers for the whole context, written in place. */
    STATIC;

    /** The default, chosen by measurement (see the README's cache benchmark). */
    public static final CacheKind DEFAULT = STATIC;

    /** Parses {@code growing} or {@code static}. */
    public static CacheKind parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "growing" -> GROWING;
            case "static" -> STATIC;
            default ->
                    throw new IllegalArgumentException(
                            "unknown KV cache kind '" + name + "': expected growing or static");
        };
    }

    /** A new cache of this kind for a model with {@code layers} layers and context {@code n}. */
    public KvCache create(NDManager parent, int layers, int n) {
        return this == GROWING
                ? KvCache.growing(parent, layers)
                : KvCache.preallocated(parent, layers, n);
    }
}
