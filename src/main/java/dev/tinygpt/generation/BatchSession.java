package dev.tinygpt.generation;

import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.util.Arrays;
import java.util.List;

/**
 * Several sequences stepped together: the model state of a batched generation or a beam search. It
 * keeps each row's tokens and context window, lays the windows out left-padded (attention mask 0 on
 * padding, positions counted from each row's first real token), and hands back each row's last
 * logits.
 *
 * <p>With the KV cache the windows are prefilled in one step and then fed one token per row per
 * step; without it every step recomputes the windows. When a row outgrows {@code n_positions} its
 * window restarts from its last {@code n_positions - shift} tokens and all rows are re-prefilled (a
 * row whose window did not move gets the same positions back, so its logits do not change). Rows
 * can be dropped or repeated ({@link #reorder}) for finished sequences and beam search.
 *
 * <p>Legend: B rows, W padded window width, V vocabulary.
 */
public final class BatchSession {
    private final InferenceSession session;
    private final GptConfig config;
    private final boolean useCache;
    private final int keep; // tokens a window keeps when it slides: n_positions - shift
    private final int maxNewTokens;

    /** Generated tokens a row has room for when it starts. */
    static final int INITIAL_ROOM = 4096;

    /** The longest sequence a row can hold (one Java array). */
    static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private int[][] tokens; // [B][capacity]: each row's whole sequence
    private int[] lengths; // [B]
    private int[] windowStarts; // [B]: first token of each row's window
    private int[][] mask; // [B][P]: the cache's attention mask, valid while cacheValid
    private boolean cacheValid;

    /**
     * @param session the session whose predictor and cache the batch uses
     * @param options the KV cache use, the context policy (its shift) and the new tokens' limit
     */
    public BatchSession(InferenceSession session, GenerationOptions options) {
        this.session = session;
        this.config = session.config();
        this.useCache = options.useKvCache();
        int n = config.contextLength();
        // STOP never slides: its rows end when they fill the window.
        this.keep = options.contextPolicy() == ContextPolicy.SHIFT ? n - options.shiftFor(n) : n;
        this.maxNewTokens = options.maxNewTokens();
    }

    /**
     * Starts the rows from their prompts and returns each row's last logits ({@code [B][1][V]} flat
     * in a {@link StepOutput}).
     *
     * <p>A row may reach its prompt plus {@code max_new_tokens}; it starts with room for at most
     * {@value #INITIAL_ROOM} generated tokens and grows as it fills.
     *
     * @param prompts one non-empty prompt per row, ids checked by the caller
     */
    public StepOutput start(List<int[]> prompts) {
        int b = prompts.size();
        long capacity =
                prompts.stream().mapToInt(p -> p.length).max().orElse(0) + (long) maxNewTokens;
        tokens = new int[b][];
        lengths = new int[b];
        windowStarts = new int[b];
        for (int r = 0; r < b; r++) {
            int[] prompt = prompts.get(r);
            long room = Math.min(capacity, (long) prompt.length + INITIAL_ROOM);
            tokens[r] = Arrays.copyOf(prompt, (int) Math.max(room, prompt.length));
            lengths[r] = prompt.length;
            windowStarts[r] = slide(r);
        }
        cacheValid = false;
        if (useCache) {
            session.cache().expect((int) Math.min(capacity, config.contextLength()));
        }
        return run();
    }

    /**
     * Appends one token per row. The next {@link #step} runs them; before it, a caller that does
     * not slide windows drops the rows that {@link #overflowing} names.
     */
    public void append(int[] next) {
        if (next.length != rows()) {
            throw new IllegalArgumentException(
                    "expected one token for each of " + rows() + " rows, got " + next.length);
        }
        for (int r = 0; r < next.length; r++) {
            if (lengths[r] == tokens[r].length) {
                if (lengths[r] >= MAX_LENGTH) {
                    throw new IllegalStateException(
                            "a sequence of " + MAX_LENGTH + " tokens cannot grow further");
                }
                tokens[r] = Arrays.copyOf(tokens[r], (int) Math.min(MAX_LENGTH, 2L * lengths[r]));
            }
            tokens[r][lengths[r]++] = next[r];
        }
    }

    /**
     * Runs the appended tokens, sliding the windows that outgrew the context, and returns each
     * row's new last logits.
     */
    public StepOutput step() {
        for (int r = 0; r < rows(); r++) {
            int start = slide(r);
            if (start != windowStarts[r]) {
                windowStarts[r] = start;
                cacheValid = false;
            }
        }
        if (cacheValid && mask[0].length + 1 > config.contextLength()) {
            // Left padding left behind by rows that finished can make the cache wider than any
            // window; re-prefilling packs it again (same positions, so the same logits) and keeps
            // it within a preallocated cache's n_positions slots.
            cacheValid = false;
        }
        return run();
    }

    /** Whether row {@code r} holds more tokens than its window can take without sliding. */
    public boolean overflowing(int r) {
        return lengths[r] - windowStarts[r] > config.contextLength();
    }

    /**
     * Keeps the rows listed, in that order: new row {@code i} is old row {@code rows[i]}. A row may
     * appear several times (beam search) or not at all (a finished sequence).
     */
    public void reorder(int[] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        tokens = pick(tokens, rows, true);
        lengths = pick(lengths, rows);
        windowStarts = pick(windowStarts, rows);
        if (cacheValid) {
            mask = pick(mask, rows, false);
            session.cache().reorder(rows);
        }
    }

    public int rows() {
        return lengths.length;
    }

    /** Row {@code r}'s whole sequence so far (a view of the live array: do not modify). */
    public int[] tokens(int r) {
        return tokens[r];
    }

    public int length(int r) {
        return lengths[r];
    }

    /** Where row {@code r}'s window starts under the sliding rule. */
    private int slide(int r) {
        int n = config.contextLength();
        int start = windowStarts == null ? 0 : windowStarts[r];
        return lengths[r] - start > n ? lengths[r] - keep : start;
    }

    private StepOutput run() {
        if (useCache && cacheValid) {
            return decode();
        }
        StepOutput logits = prefill();
        cacheValid = useCache;
        return logits;
    }

    /** All windows, left-padded to the widest, in one step (into a fresh cache when cached). */
    private StepOutput prefill() {
        int b = rows();
        int width = 0;
        for (int r = 0; r < b; r++) {
            width = Math.max(width, lengths[r] - windowStarts[r]);
        }
        int[][] ids = new int[b][width]; // [B][W], padding id 0 (masked out)
        int[][] positions = new int[b][width];
        int[][] attention = new int[b][width];
        for (int r = 0; r < b; r++) {
            int real = lengths[r] - windowStarts[r];
            int pad = width - real;
            System.arraycopy(tokens[r], windowStarts[r], ids[r], pad, real);
            for (int i = 0; i < real; i++) {
                positions[r][pad + i] = i;
                attention[r][pad + i] = 1;
            }
        }
        KvCache cache = useCache ? session.cache() : null;
        if (useCache) {
            cache.clear();
            mask = attention;
        }
        return session.step(new StepInput(ids, positions, attention, cache));
    }

    /** Each row's newest token against the cache. */
    private StepOutput decode() {
        int b = rows();
        int[][] ids = new int[b][1];
        int[][] positions = new int[b][1];
        int[][] attention = new int[b][];
        for (int r = 0; r < b; r++) {
            ids[r][0] = tokens[r][lengths[r] - 1];
            positions[r][0] = lengths[r] - 1 - windowStarts[r];
            attention[r] = Arrays.copyOf(mask[r], mask[r].length + 1);
            attention[r][mask[r].length] = 1;
        }
        mask = attention;
        return session.step(new StepInput(ids, positions, attention, session.cache()));
    }

    private static int[][] pick(int[][] from, int[] rows, boolean copy) {
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = copy ? from[rows[i]].clone() : from[rows[i]];
        }
        return out;
    }

    private static int[] pick(int[] from, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = from[rows[i]];
        }
        return out;
    }
}
