package dev.tinygpt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StridedWindowsTest {
    @Test
    void everyTokenAfterTheFirstIsScoredOnceWithContextInItsWindow() {
        for (int context = 2; context <= 12; context++) {
            for (int stride = 1; stride < context; stride++) {
                for (int tokens = 2; tokens <= 40; tokens++) {
                    List<StridedWindows.Window> windows =
                            StridedWindows.plan(tokens, context, stride);
                    int[] scored = new int[tokens];
                    for (int i = 0; i < windows.size(); i++) {
                        StridedWindows.Window w = windows.get(i);
                        assertEquals(i * stride, w.begin());
                        assertTrue(w.length() <= context && w.scoredFrom() > w.begin());
                        for (int p = w.scoredFrom(); p < w.end(); p++) {
                            scored[p]++;
                        }
                    }
                    assertEquals(tokens, windows.get(windows.size() - 1).end());
                    for (int p = 0; p < tokens; p++) {
                        assertEquals(p == 0 ? 0 : 1, scored[p], "position " + p);
                    }
                }
            }
        }
    }

    @Test
    void windowsOfOneLengthShareABatch() {
        List<StridedWindows.Window> windows = StridedWindows.plan(45, 16, 5);
        // [0, 16), [5, 21), … [25, 41), then [30, 45): 15 long, it reaches the end of the text.
        assertEquals(
                List.of(16, 16, 16, 16, 16, 16, 15),
                windows.stream().map(StridedWindows.Window::length).toList());
        List<List<StridedWindows.Window>> batches = Perplexity.batches(windows, 4);
        assertEquals(List.of(4, 2, 1), batches.stream().map(List::size).toList());
    }
}
