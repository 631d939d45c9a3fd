package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stop strings over text arriving in pieces: held back while they may begin, cut when found. */
class StopMatcherTest {

    @Test
    void holdsBackATailThatMayBeginAStopAndReleasesItWhenItDoesNot() {
        StopMatcher m = new StopMatcher(List.of("END"));
        assertEquals(new StopMatcher.Result("abc ", false), m.add("abc E"));
        assertEquals(new StopMatcher.Result("", false), m.add("N"));
        assertEquals(new StopMatcher.Result("ENx", false), m.add("x"));
        assertEquals(new StopMatcher.Result("y", true), m.add("yEND and more"));
    }

    @Test
    void findsAStopStringSplitAcrossPiecesAndNothingElse() {
        StopMatcher stops = new StopMatcher(List.of("the end", "!"));
        assertFalse(stops.add("and so, th").stopped());
        assertFalse(stops.add("e e").stopped());
        assertFalse(stops.add("xit").stopped());
        assertFalse(stops.add(" was the e").stopped());
        assertTrue(stops.add("nd of it").stopped());
        assertTrue(new StopMatcher(List.of("!")).add("wow!").stopped());
    }

    @Test
    void looksBackNoFurtherThanTheLongestStopString() {
        StopMatcher stops = new StopMatcher(List.of("abc"));
        assertFalse(stops.add("a".repeat(10_000)).stopped());
        assertFalse(stops.add("b").stopped());
        assertTrue(stops.add("c").stopped());
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("cd", "b"));
        assertEquals(new StopMatcher.Result("a", true), m.add("abcd"));
    }

    @Test
    void flushGivesWhatWasHeldWhenTheChoiceEndsOtherwise() {
        StopMatcher m = new StopMatcher(List.of("stop"));
        assertEquals("x ", m.add("x st").released());
        assertEquals("st", m.flush());
        assertEquals("", m.flush());
    }

    @Test
    void anySplitOfATextGivesWhatTheWholeTextGives() {
        // the oracle: the text before the first occurrence of any stop, found in the whole text
        Random random = new Random(3);
        List<String> stops = List.of("aab", "ba", "bbb");
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                text.append(random.nextBoolean() ? 'a' : 'b');
            }
            int first =
                    stops.stream()
                            .mapToInt(s -> text.indexOf(s))
                            .filter(i -> i >= 0)
                            .min()
                            .orElse(-1);
            String expected = first < 0 ? text.toString() : text.substring(0, first);
            StopMatcher m = new StopMatcher(stops);
            StringBuilder out = new StringBuilder();
            boolean stopped = false;
            for (String piece : pieces(text.toString(), random)) {
                StopMatcher.Result r = m.add(piece);
                out.append(r.released());
                if (r.stopped()) {
                    stopped = true;
                    break;
                }
            }
            if (!stopped) {
                out.append(m.flush());
            }
            assertEquals(expected, out.toString(), "text " + text);
            assertEquals(first >= 0, stopped, "text " + text);
        }
    }

    private static List<String> pieces(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int end = Math.min(text.length(), at + random.nextInt(4)); // empty pieces too
            pieces.add(text.substring(at, end));
            at = end;
        }
        return pieces;
    }
}
