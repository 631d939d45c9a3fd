package dev.tinygpt.translator;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.profile.Profile;
import java.util.Arrays;

/**
 * One step of the typed API: new tokens for B rows, their positions and the attention mask over
 * past and new positions, and the cache to read the past from and write the present into.
 *
 * @param tokenIds {@code [B][T]} token ids
 * @param positionIds {@code [B][T]} absolute positions of those tokens
 * @param attentionMask {@code [B][P+T]}: 1 for real tokens, 0 for padding
 * @param cache the KV cache (holding P positions, the step appends T), or null to run without one
 *     (P = 0 and the keys and values are dropped)
 */
public record StepInput(
        int[][] tokenIds, int[][] positionIds, int[][] attentionMask, KvCache cache) {

    public StepInput {
        if (tokenIds.length == 0 || tokenIds[0].length == 0) {
            throw new IllegalArgumentException("a step needs at least one token");
        }
        int b = tokenIds.length;
        int t = tokenIds[0].length;
        int past = cache == null ? 0 : cache.length();
        requireRows("tokenIds", tokenIds, b, t);
        requireRows("positionIds", positionIds, b, t);
        requireRows("attentionMask", attentionMask, b, past + t);
    }

    /**
     * One unpadded sequence continuing a cache: positions {@code P … P+T-1}, mask all ones.
     *
     * @param ids the new tokens
     * @param cache the cache holding the P earlier positions, or null for none (P = 0)
     */
    public static StepInput of(int[] ids, KvCache cache) {
        return rows(new int[][] {ids}, cache);
    }

    /** Several unpadded rows of equal length at positions {@code 0…T-1}, without a cache. */
    public static StepInput rows(int[][] ids) {
        return rows(ids, null);
    }

    /**
     * Several unpadded rows of equal length continuing a cache: positions {@code P … P+T-1} in
     * every row, mask all ones over the P cached and T new positions.
     *
     * @param cache the cache holding the P earlier positions of every row, or null (P = 0)
     */
    public static StepInput rows(int[][] ids, KvCache cache) {
        int past = cache == null ? 0 : cache.length();
        int[][] positions = new int[ids.length][];
        int[][] mask = new int[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            positions[r] = new int[ids[r].length];
            Arrays.setAll(positions[r], i -> past + i);
            mask[r] = new int[past + ids[r].length];
            Arrays.fill(mask[r], 1);
        }
        return new StepInput(ids, positions, mask, cache);
    }

    public int batchSize() {
        return tokenIds.length;
    }

    public int newPositions() {
        return tokenIds[0].length;
    }

    /**
     * The first three arrays of the step contract, {@code [inputIds (B,T), positionIds (B,T),
     * attentionMask (B,P+T)]} int64, in {@code manager}; ids and positions are checked against the
     * config first, so a bad id is an error naming it rather than a native index error.
     */
    public NDList toArrays(NDManager manager, GptConfig config) {
        try (Profile.Section s = Profile.section(Profile.Kind.INPUTS)) {
            int b = batchSize();
            long[] ids = flatten(tokenIds);
            long[] positions = flatten(positionIds);
            StepChecks.tokenIds(ids, config);
            StepChecks.positionIds(positions, config);
            long[] mask = flatten(attentionMask);
            return new NDList(
                    manager.create(ids, new Shape(b, newPositions())),
                    manager.create(positions, new Shape(b, newPositions())),
                    manager.create(mask, new Shape(b, mask.length / b)));
        }
    }

    private static long[] flatten(int[][] rows) {
        int width = rows[0].length;
        long[] flat = new long[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < width; c++) {
                flat[r * width + c] = rows[r][c];
            }
        }
        return flat;
    }

    private static void requireRows(String name, int[][] rows, int b, int width) {
        if (rows.length != b) {
            throw new IllegalArgumentException(
                    name + " has " + rows.length + " rows, expected " + b);
        }
        for (int[] row : rows) {
            if (row.length != width) {
                throw new IllegalArgumentException(
                        name + " rows must have length " + width + ", got " + row.length);
            }
        }
    }
}
