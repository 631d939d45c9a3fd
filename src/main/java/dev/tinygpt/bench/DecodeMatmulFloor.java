package dev.tinygpt.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.config.GptConfig;

/**
 * The decode matmul floor: the time of one decode step's matrix products alone, for a model's shape
 * at batch 1, through DJL exactly as the model calls them (each layer's {@code c_attn}, {@code
 * attn.c_proj}, {@code c_fc} and {@code mlp.c_proj} as {@code x · W} with {@code W [in, out]}; the
 * head as {@code linear(x, wte)}). Every layer has its own weight arrays, so each product streams
 * its weights from memory as a real step does. A real step adds layer norms, attention, the
 * activation, cache writes and its calls; no decode step through DJL can be faster than this.
 */
public final class DecodeMatmulFloor implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[][] layers; // per layer: c_attn, attn.c_proj, c_fc, mlp.c_proj
    private final NDArray head; // [V, C]
    private final NDArray x; // (B, 1, C)
    private final NDArray hidden; // (B, 1, H)
    private final long bytes;

    /** Random weights of {@code config}'s shape (GPT-2 small: 494 MB), batch 1. */
    public DecodeMatmulFloor(GptConfig config) {
        this(config, 1);
    }

    /** Random weights of {@code config}'s shape, for a step of {@code rows} rows. */
    public DecodeMatmulFloor(GptConfig config, int rows) {
        manager = NDManager.newBaseManager();
        manager.setName("decode-matmul-floor");
        int c = config.dModel();
        int h = config.mlpHidden();
        layers = new NDArray[config.layers()][];
        long values = (long) config.vocabSize() * c;
        for (int i = 0; i < layers.length; i++) {
            layers[i] =
                    new NDArray[] {weights(c, 3 * c), weights(c, c), weights(c, h), weights(h, c)};
            values += 4L * c * c + 2L * c * h;
        }
        head = weights(config.vocabSize(), c);
        x = manager.randomUniform(-1f, 1f, new Shape(rows, 1, c));
        hidden = manager.randomUniform(-1f, 1f, new Shape(rows, 1, h));
        bytes = values * Float.BYTES;
        for (int i = 0; i < 3; i++) {
            sampleMillis();
        }
    }

    /** The bytes one floor step reads: every weight once. */
    public long bytes() {
        return bytes;
    }

    /** One sample: the wall time of every product of one decode step, ms. */
    public double sampleMillis() {
        try (NDManager step = manager.newSubManager()) {
            long start = System.nanoTime();
            for (NDArray[] w : layers) {
                x.matMul(w[0]).tempAttach(step); // (B,1,C) · [C, 3C]
                x.matMul(w[1]).tempAttach(step); // (B,1,C) · [C, C]
                x.matMul(w[2]).tempAttach(step); // (B,1,C) · [C, H]
                hidden.matMul(w[3]).tempAttach(step); // (B,1,H) · [H, C]
            }
            x.getNDArrayInternal().linear(x, head, null).tempAttach(step); // (B,1,C) · [V, C]ᵀ
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private NDArray weights(int rows, int cols) {
        return manager.randomUniform(-0.02f, 0.02f, new Shape(rows, cols));
    }

    @Override
    public void close() {
        manager.close();
    }
}
