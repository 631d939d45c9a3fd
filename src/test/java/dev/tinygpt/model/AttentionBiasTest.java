package dev.tinygpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class AttentionBiasTest {
    private static final float M = AttentionBias.MASKED;

    @Test
    void causalMaskIsOffsetByThePastLength() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 cached positions, 2 new ones: query 0 is absolute position 2, query 1 position 3.
            NDArray mask = m.ones(new Shape(1, 4), ai.djl.ndarray.types.DataType.INT64);
            NDArray bias = AttentionBias.build(mask, 2, 2);
            assertEquals(new Shape(1, 1, 2, 4), bias.getShape());
            assertArrayEquals(new float[] {0, 0, 0, M, 0, 0, 0, 0}, bias.toFloatArray());
        }
    }

    @Test
    void paddingIsMaskedForEveryQuery() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Row 0 is left-padded by one position; row 1 is not.
            NDArray mask = m.create(new long[] {0, 1, 1, 1, 1, 1}, new Shape(2, 3));
            NDArray bias = AttentionBias.build(mask, 3, 0);
            assertArrayEquals(
                    new float[] {
                        M,
                        M,
                        M,
                        M,
                        0,
                        M,
                        M,
                        0,
                        0, // row 0: key 0 is padding
                        0,
                        M,
                        M,
                        0,
                        0,
                        M,
                        0,
                        0,
                        0 // row 1: plain causal
                    },
                    bias.toFloatArray());
        }
    }
}
