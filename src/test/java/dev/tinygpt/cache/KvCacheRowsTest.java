package dev.tinygpt.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import org.junit.jupiter.api.Test;

/**
 * Rows joining and leaving a running batch's cache, value by value: a joined row is its prefilled
 * cache right-aligned after zeroed padding, a row that leaves is replaced by the last one, and
 * dropping the common padding moves every row left. (Batched decoding equal to decoding alone is
 * SchedulerTest's.)
 */
class KvCacheRowsTest {
    private static final GptConfig CONFIG = GptConfig.exercise();

    @Test
    void joinLeaveAndDropFrontMoveExactlyTheRowsColumns() {
        try (LanguageModel lm = LanguageModel.create(CONFIG, 5, null);
                InferenceSession batch = lm.newSession();
                InferenceSession a = lm.newSession();
                InferenceSession b = lm.newSession()) {
            KvCache cache = batch.cache();
            cache.expectRows(3);
            a.prefill(new int[] {1, 2, 3, 4, 5});
            b.prefill(new int[] {6, 7});
            assertEquals(0, cache.join(b.cache())); // P = 2
            assertEquals(1, cache.join(a.cache())); // P = 5: row 0 moves right by 3
            assertEquals(5, cache.length());
            assertEquals(2, cache.batchSize());
            assertEquals(
                    2L
                            * CONFIG.layers()
                            * 3
                            * CONFIG.heads()
                            * cache.capacity()
                            * CONFIG.headDim()
                            * Float.BYTES,
                    cache.bytes(),
                    "three slots, as expected, not a doubling");
            for (int layer = 0; layer < 2 * CONFIG.layers(); layer++) {
                assertArrayEquals(zeros(3), column(cache, layer, 0, 0, 3), "padding");
                assertArrayEquals(column(b.cache(), layer, 0, 0, 2), column(cache, layer, 0, 3, 5));
                assertArrayEquals(column(a.cache(), layer, 0, 0, 5), column(cache, layer, 1, 0, 5));
            }
            cache.leave(0); // row 1 (a) moves into row 0
            assertEquals(1, cache.batchSize());
            assertArrayEquals(column(a.cache(), 0, 0, 0, 5), column(cache, 0, 0, 0, 5));
            cache.join(b.cache()); // b again, after 3 columns of padding
            cache.leave(0); // now b alone: its 3 leading columns are padding in every row
            cache.dropFront(3);
            assertEquals(2, cache.length());
            assertArrayEquals(column(b.cache(), 1, 0, 0, 2), column(cache, 1, 0, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> cache.dropFront(3));
            assertThrows(IllegalArgumentException.class, () -> cache.leave(1));
            cache.leave(0);
            assertEquals(0, cache.length(), "an empty batch starts over");
        }
    }

    @Test
    void aRowJoiningAFullCacheGrowsTheSlotsNotThePositions() {
        try (LanguageModel lm = LanguageModel.create(CONFIG, 5, null);
                InferenceSession batch = lm.newSession();
                InferenceSession a = lm.newSession();
                InferenceSession b = lm.newSession()) {
            KvCache cache = batch.cache(); // no expectRows: slots double
            a.prefill(new int[] {1, 2, 3, 4, 5});
            b.prefill(new int[] {6, 7});
            cache.join(a.cache()); // one slot of 5 positions
            assertEquals(5, cache.capacity());
            cache.join(b.cache()); // the slots are full; b's 2 positions fit in the 5
            assertEquals(2, cache.batchSize());
            assertEquals(5, cache.capacity(), "the positions had room: only the slots grow");
            assertArrayEquals(column(a.cache(), 0, 0, 0, 5), column(cache, 0, 0, 0, 5));
            assertArrayEquals(column(b.cache(), 0, 0, 0, 2), column(cache, 0, 1, 3, 5));
        }
    }

    @Test
    void aJoiningCacheMustHoldOneFilledRowOfTheSameModel() {
        GptConfig other = CONFIG.toBuilder().dModel(32).build();
        try (LanguageModel lm = LanguageModel.create(CONFIG, 5, null);
                LanguageModel small = LanguageModel.create(other, 5, null);
                InferenceSession batch = lm.newSession();
                InferenceSession empty = lm.newSession();
                InferenceSession foreign = small.newSession()) {
            foreign.prefill(new int[] {1});
            assertThrows(IllegalArgumentException.class, () -> batch.cache().join(empty.cache()));
            assertThrows(IllegalArgumentException.class, () -> batch.cache().join(foreign.cache()));
        }
    }

    /** Row {@code r} of buffer {@code i}, positions {@code [from, to)}, flattened. */
    private static float[] column(KvCache cache, int i, int r, int from, int to) {
        NDArray buffer = cache.reserve(cache.batchSize(), 0).get(i);
        try (NDArray slice =
                buffer.get(new NDIndex().addSliceDim(r, r + 1).addAllDim().addSliceDim(from, to))) {
            return slice.toFloatArray();
        }
    }

    private static float[] zeros(int positions) {
        return new float[positions * CONFIG.heads() * CONFIG.headDim()];
    }
}
