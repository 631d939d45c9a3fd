package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void findsAStopStringSplitAcrossPiecesAndNothingElse() {
        StopStrings stops = new StopStrings(List.of("the end", "!"));
        assertFalse(stops.add("and so, th"));
        assertFalse(stops.add("e e"));
        assertFalse(stops.add("xit"));
        assertFalse(stops.add(" was the e"));
        assertTrue(stops.add("nd of it"));
        assertTrue(new StopStrings(List.of("!")).add("wow!"));
    }

    @Test
    void looksBackNoFurtherThanTheLongestStopString() {
        StopStrings stops = new StopStrings(List.of("abc"));
        assertFalse(stops.add("a".repeat(10_000)));
        assertFalse(stops.add("b"));
        assertTrue(stops.add("c"));
    }
}
