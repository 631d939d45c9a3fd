package dev.tinygpt.serving;

import dev.tinygpt.cache.KvCache;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows a server decodes together and their shared KV cache (continuous batching). A newcomer's
 * prompt is prefilled on its own, in a one-row cache, and then {@link #join joins}: its keys and
 * values are copied into a free row of the batch's cache, right-aligned with the others (left
 * padding, masked out). Every {@link #step} feeds each row its last sampled token; a finished row
 * {@link #leave leaves} at once and the last row takes its slot. Leading columns that every row
 * holds as padding (the longest row left) are dropped before the cache would have to grow, so the
 * shared length stays within {@code n_positions}.
 *
 * <p>Legend: B running rows, P cached positions (shared, padding included), n_r row r's own.
 */
final class RunningBatch implements AutoCloseable {
    private final InferenceSession decode; // its cache is the batch's
    private final InferenceSession prefill; // one newcomer at a time
    private final List<Choice> rows = new ArrayList<>();
    private final int maxRows;

    RunningBatch(LanguageModel model, int maxRows) {
        this.decode = model.newSession();
        this.decode.cache().expectRows(maxRows); // no slot beyond --max-batch
        this.prefill = model.newSession();
        this.maxRows = maxRows;
    }

    int size() {
        return rows.size();
    }

    int free() {
        return maxRows - rows.size();
    }

    Choice row(int r) {
        return rows.get(r);
    }

    /** Prefills a newcomer's prompt on its own; returns its last logits. */
    float[] prefill(int[] prompt) {
        return prefill.prefill(prompt);
    }

    /** Adds {@code choice}, whose prompt {@link #prefill} just ran, as the last row. */
    void join(Choice choice) {
        if (free() == 0) {
            throw new IllegalStateException("the batch is full: " + maxRows + " rows");
        }
        decode.cache().join(prefill.cache());
        choice.setCached(prefill.cachedLength());
        rows.add(choice);
    }

    /** Removes row {@code r}; the last row moves into its place. */
    void leave(int r) {
        decode.cache().leave(r);
        Choice last = rows.remove(rows.size() - 1);
        if (r < rows.size()) {
            rows.set(r, last);
        }
    }

    /**
     * One decode step for every row: each row's pending token at its own next position, against the
     * cache. Returns the logits {@code (B, 1, V)}, row r's for the choice {@link #row row(r)}.
     */
    StepOutput step() {
        KvCache cache = decode.cache();
        compact(cache);
        int b = rows.size();
        int p = cache.length();
        int[][] ids = new int[b][1];
        int[][] positions = new int[b][1];
        int[][] mask = new int[b][p + 1]; // (B, P+1): padding 0, then n_r cached and the new 1
        for (int r = 0; r < b; r++) {
            Choice row = rows.get(r);
            ids[r][0] = row.pending();
            positions[r][0] = row.cached();
            Arrays.fill(mask[r], p - row.cached(), p + 1, 1);
        }
        StepOutput out = decode.step(new StepInput(ids, positions, mask, cache));
        for (Choice row : rows) {
            row.setCached(row.cached() + 1);
        }
        return out;
    }

    /**
     * Drops the leading columns that are padding in every row when the next step would make the
     * cache grow, or when they are half of it (attention would spend half its work on them).
     */
    private void compact(KvCache cache) {
        int longest = rows.stream().mapToInt(Choice::cached).max().orElse(0);
        int dead = cache.length() - longest;
        if (dead > 0 && (cache.length() + 1 > cache.capacity() || 2 * dead >= cache.length())) {
            cache.dropFront(dead);
        }
    }

    @Override
    public void close() {
        decode.close();
        prefill.close();
    }
}
