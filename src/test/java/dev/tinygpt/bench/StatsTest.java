package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void percentilesByNearestRank() {
        double[] hundred = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();
        assertEquals(50, Stats.percentile(50, hundred));
        assertEquals(99, Stats.percentile(99, hundred));
        assertEquals(100, Stats.percentile(100, hundred));
        assertEquals(2, Stats.percentile(50, 4, 1, 3, 2));
        assertEquals(4, Stats.percentile(99, 4, 1, 3, 2));
        assertEquals(7, Stats.percentile(1, 7));
        assertEquals(Double.NaN, Stats.percentile(50));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(0, 1));
    }
}
