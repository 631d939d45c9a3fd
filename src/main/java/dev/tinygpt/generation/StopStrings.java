package dev.tinygpt.generation;

import java.util.List;

/**
 * Finds stop strings in text that arrives piece by piece, looking only where a new piece can
 * complete one: the last {@code longest - 1} characters before it and the piece. Constant work per
 * token, where searching the whole generated text every token is quadratic in its length.
 */
final class StopStrings {
    private final List<String> stops;
    private final int keep;
    private final StringBuilder tail = new StringBuilder();

    StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
        this.keep = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds the next piece of generated text; whether the text now contains a stop string. */
    boolean add(String piece) {
        tail.append(piece);
        boolean hit = false;
        for (String stop : stops) {
            hit |= tail.indexOf(stop) >= 0;
        }
        if (tail.length() > keep) {
            tail.delete(0, tail.length() - keep);
        }
        return hit;
    }
}
