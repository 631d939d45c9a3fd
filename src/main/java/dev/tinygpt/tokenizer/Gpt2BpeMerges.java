package dev.tinygpt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A ranked merge table ({@code merges.txt}) and encoder.py's {@code bpe()} over token ids: find the
 * adjacent pair of lowest rank, merge every occurrence of it left to right without overlap, repeat
 * until no pair has a rank.
 *
 * <p>Rescanning the whole piece per round, as encoder.py does, is quadratic: 22 s for one
 * 100k-letter piece. Here a heap holds the ranked pairs by (rank, position), and one round pops
 * every pair of the lowest rank in position order. Pairs the round creates enter the heap only
 * after it, so a new pair that outranks the round's pair still waits for the round to end, as in
 * encoder.py (HF's queue merges it at once, which differs only for merge lists that use a token
 * before the line making it; GPT-2's never does). O(n log n).
 */
final class Gpt2BpeMerges {
    private final Map<Long, Long> table; // (left << 32 | right) -> (rank << 32 | merged id)

    private Gpt2BpeMerges(Map<Long, Long> table) {
        this.table = table;
    }

    /**
     * Reads the lines of a merges file: an optional {@code #version} first line, then {@code "a b"}
     * per line, rank = order; empty lines are skipped.
     *
     * @throws IllegalArgumentException naming the line at fault
     */
    static Gpt2BpeMerges parse(List<String> lines, Map<String, Integer> vocab) {
        Map<Long, Long> table = new HashMap<>();
        Map<Long, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNo = i + 1;
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException(
                        "line "
                                + lineNo
                                + ": expected two tokens and one space, got '"
                                + line
                                + "'");
            }
            int left = idOf(vocab, parts[0], lineNo, "");
            int right = idOf(vocab, parts[1], lineNo, "");
            int merged = idOf(vocab, parts[0] + parts[1], lineNo, "the merge result ");
            long pair = pair(left, right);
            Integer earlier = lineOf.putIfAbsent(pair, lineNo);
            if (earlier != null) {
                throw new IllegalArgumentException(
                        "line " + lineNo + ": merge '" + line + "' repeats line " + earlier);
            }
            table.put(pair, ((long) table.size() << 32) | merged);
        }
        return new Gpt2BpeMerges(table);
    }

    private static int idOf(Map<String, Integer> vocab, String token, int lineNo, String what) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException(
                    "line " + lineNo + ": " + what + "'" + token + "' is not in the vocabulary");
        }
        return id;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | right;
    }

    /** The merge of {@code left right} as (rank << 32 | merged id), or -1 if there is none. */
    private long lookup(int left, int right) {
        Long m = table.get(pair(left, right));
        return m == null ? -1 : m;
    }

    /** Merges {@code symbols} (token ids, overwritten) and returns the ids that remain. */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols;
        }
        // A doubly linked list over positions: a merge folds a symbol into its left neighbour.
        int[] prev = new int[n];
        int[] next = new int[n];
        // Ranked pairs as (rank << 32 | left position): by rank, then left to right.
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                push(heap, symbols, next, i);
            }
        }
        List<Integer> changed = new ArrayList<>();
        while (!heap.isEmpty()) {
            long rank = heap.peek() >>> 32;
            changed.clear();
            while (!heap.isEmpty() && heap.peek() >>> 32 == rank) {
                int i = (int) (long) heap.poll();
                int j = next[i];
                // Skip entries gone stale: a merged-away symbol, or a pair changed by a merge.
                if (symbols[i] < 0 || j < 0) {
                    continue;
                }
                long m = lookup(symbols[i], symbols[j]);
                if (m < 0 || m >>> 32 != rank) {
                    continue;
                }
                symbols[i] = (int) m;
                symbols[j] = -1;
                next[i] = next[j];
                if (next[j] >= 0) {
                    prev[next[j]] = i;
                }
                if (prev[i] >= 0) {
                    changed.add(prev[i]);
                }
                changed.add(i);
            }
            for (int i : changed) {
                push(heap, symbols, next, i);
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) { // position 0 is never merged away
            symbols[count++] = symbols[i];
        }
        return Arrays.copyOf(symbols, count);
    }

    private void push(PriorityQueue<Long> heap, int[] symbols, int[] next, int i) {
        if (symbols[i] >= 0 && next[i] >= 0) {
            long m = lookup(symbols[i], symbols[next[i]]);
            if (m >= 0) {
                heap.add((m & 0xFFFF_FFFF_0000_0000L) | i);
            }
        }
    }
}
