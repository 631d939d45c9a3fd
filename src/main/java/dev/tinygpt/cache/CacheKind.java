package dev.tinygpt.cache;

import ai.djl.ndarray.NDManager;
import dev.tinygpt.config.GptConfig;
import java.util.Locale;

/** Which {@link KvCache} a session uses. */
public enum CacheKind {
    /** {@link KvCache#growing}: concatenate each step onto the past. */
    GROWING,
    /** {@link KvCache#preallocated}: buffers for the whole context, written in place. */
    STATIC;

    /**
     * The kind measured faster for a model (README, "Generation benchmarks"): the static cache
     * saves copying the whole past each step, which pays off for wide models with long contexts
     * (width 256 × context 512: 1.0–1.26× faster); on small ones its extra native calls per layer
     * cost more than the copies (the exercise model: 0.88–1.06×; width 128: 0.63–1.27×).
     */
    public static CacheKind fastestFor(GptConfig config) {
        return (long) config.dModel() * config.contextLength() >= 256L * 512 ? STATIC : GROWING;
    }

    /** Parses {@code growing} or {@code static}; {@code auto} gives null (choose per model). */
    public static CacheKind parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "growing" -> GROWING;
            case "static" -> STATIC;
            default ->
                    throw new IllegalArgumentException(
                            "unknown KV cache kind '"
                                    + name
                                    + "': expected auto, growing or static");
        };
    }

    /** A new cache of this kind for a model with {@code layers} layers and context {@code n}. */
    public KvCache create(NDManager parent, int layers, int n) {
        return this == GROWING
                ? KvCache.growing(parent, layers)
                : KvCache.preallocated(parent, layers, n);
    }
}
