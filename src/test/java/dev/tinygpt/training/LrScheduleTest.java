package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
    /** Float rounding of values near 1e-3 is ~1e-10; this leaves a margin and no more. */
    private static final double TOLERANCE = 1e-9;

    private final LrSchedule schedule = new LrSchedule(1e-3f, 1e-4f, 10, 110);

    @Test
    void warmsUpLinearlyAsNanoGpt() {
        assertEquals(1e-3 * 1 / 11, schedule.lr(0), TOLERANCE);
        assertEquals(1e-3 * 5 / 11, schedule.lr(4), TOLERANCE);
        assertEquals(1e-3 * 10 / 11, schedule.lr(9), TOLERANCE);
    }

    @Test
    void decaysByCosineToTheFloor() {
        assertEquals(1e-3, schedule.lr(10), TOLERANCE); // ratio 0, coeff 1
        // iter 35: ratio 0.25, coeff 0.5 * (1 + cos(pi / 4)) = 0.853553390593
        assertEquals(1e-4 + 0.853553390593 * 9e-4, schedule.lr(35), TOLERANCE);
        assertEquals(5.5e-4, schedule.lr(60), TOLERANCE); // ratio 0.5, coeff 0.5
        // iter 85: ratio 0.75, coeff 0.5 * (1 - cos(pi / 4)) = 0.146446609407
        assertEquals(1e-4 + 0.146446609407 * 9e-4, schedule.lr(85), TOLERANCE);
        assertEquals(1e-4, schedule.lr(110), TOLERANCE);
        assertEquals(1e-4, schedule.lr(111), TOLERANCE);
        assertEquals(1e-4, schedule.lr(1_000_000), TOLERANCE);
    }

    @Test
    void handlesNoWarmupAndNoDecay() {
        LrSchedule constant = new LrSchedule(3e-4f, 3e-4f, 0, 0);
        assertEquals(3e-4, constant.lr(0), TOLERANCE);
        assertEquals(3e-4, constant.lr(500), TOLERANCE);
        LrSchedule warmupOnly = new LrSchedule(1e-3f, 1e-3f, 4, 4);
        assertEquals(1e-3 * 4 / 5, warmupOnly.lr(3), TOLERANCE);
        assertEquals(1e-3, warmupOnly.lr(4), TOLERANCE);
    }

    @Test
    void namesTheBadOption() {
        assertMessage(
                "maxLr must be positive and finite, got 0.0", () -> new LrSchedule(0, 0, 0, 0));
        assertMessage(
                "minLr must be in [0, maxLr = 0.001], got 0.01",
                () -> new LrSchedule(1e-3f, 1e-2f, 0, 0));
        assertMessage(
                "minLr must be in [0, maxLr = 0.001], got -1.0",
                () -> new LrSchedule(1e-3f, -1, 0, 0));
        assertMessage(
                "warmupIters must be at least 0, got -1", () -> new LrSchedule(1e-3f, 0, -1, 0));
        assertMessage(
                "decayIters (5) must be at least warmupIters (10)",
                () -> new LrSchedule(1e-3f, 0, 10, 5));
        assertMessage("iter must be at least 0, got -1", () -> schedule.lr(-1));
    }

    private static void assertMessage(String expected, Runnable action) {
        assertEquals(
                expected, assertThrows(IllegalArgumentException.class, action::run).getMessage());
    }
}
