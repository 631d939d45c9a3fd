package dev.tinygpt.generation;

import java.util.List;

/**
 * OpenAI's stop sequences over text that arrives piece by piece: the text before the first stop
 * string is released, the stop string and everything after it never are. A tail that could still be
 * the start of a stop string is held back until the next piece settles it, so a streamed choice
 * never shows text that the stop then takes back. Constant work per token: what is held is shorter
 * than the longest stop string, where searching the whole generated text every token is quadratic
 * in its length.
 */
public final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    /** What a piece releases, and whether a stop string was found (the choice ends). */
    public record Result(String released, boolean stopped) {}

    public StopMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds the next piece of generated text. */
    public Result add(String piece) {
        if (stops.isEmpty()) {
            return new Result(piece, false);
        }
        held.append(piece);
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            String before = held.substring(0, first);
            held.setLength(0);
            return new Result(before, true);
        }
        int keep = longestStopPrefixSuffix();
        String released = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Result(released, false);
    }

    /** The text held back so far (the choice ended otherwise). */
    public String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    /** The length of the longest end of {@code held} that begins some stop string. */
    private int longestStopPrefixSuffix() {
        String text = held.toString();
        int best = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > best; k--) {
                if (text.regionMatches(text.length() - k, stop, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
