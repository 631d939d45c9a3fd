package dev.tinygpt.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The windows a long text is scored in, as Hugging Face's perplexity guide strides them: windows of
 * {@code context} tokens start at 0 and advance by {@code stride}; window {@code [begin, end)}
 * scores the targets at positions {@code max(previous end, 1) … end − 1}, so every token after the
 * first is scored exactly once, with the longest context its window gives. The last window ends at
 * the text's end.
 */
public final class StridedWindows {
    /**
     * One window: its tokens {@code [begin, end)}, and the first position it scores.
     *
     * @param scoredFrom the first target position scored, {@code > begin}; targets up to {@code end
     *     − 1}
     */
    public record Window(int begin, int end, int scoredFrom) {
        public int length() {
            return end - begin;
        }

        public int scored() {
            return end - scoredFrom;
        }
    }

    private StridedWindows() {}

    /**
     * @param tokens the text's length in tokens, at least 2
     * @param context the window's length, the model's {@code n_positions}
     * @param stride how far each window starts after the previous one, in {@code [1, context − 1]}
     *     (windows must overlap by a token for the next one's first target to have context)
     */
    public static List<Window> plan(int tokens, int context, int stride) {
        if (tokens < 2) {
            throw new IllegalArgumentException(
                    "the text has "
                            + tokens
                            + " token"
                            + (tokens == 1 ? "" : "s")
                            + "; scoring needs at least 2 (the first token is never predicted)");
        }
        requireStride(context, stride);
        List<Window> windows = new ArrayList<>();
        int previousEnd = 0;
        for (int begin = 0; previousEnd < tokens; begin += stride) {
            int end = Math.min(begin + context, tokens);
            windows.add(new Window(begin, end, Math.max(previousEnd, 1)));
            previousEnd = end;
        }
        return windows;
    }

    /** {@code n_positions / 2}, the default stride (at least 1). */
    public static int defaultStride(int context) {
        return Math.max(1, context / 2);
    }

    static void requireStride(int context, int stride) {
        if (context < 2) {
            throw new IllegalArgumentException(
                    "a model with n_positions "
                            + context
                            + " cannot score a next token in context");
        }
        if (stride < 1 || stride > context - 1) {
            throw new IllegalArgumentException(
                    "stride must be in [1, n_positions − 1 = "
                            + (context - 1)
                            + "], got "
                            + stride
                            + " (windows must overlap by a token)");
        }
    }
}
