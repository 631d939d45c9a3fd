package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

    @Test
    void expIsWithinOneUlpOfStrictMathDownToTheSubnormals() {
        Random random = new Random(3);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            double x = i < 1_000_000 ? -random.nextDouble() * 40 : -random.nextDouble() * 746;
            double expected = StrictMath.exp(x);
            double ulps = Math.abs(Softmax.exp(x) - expected) / Math.ulp(expected);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 1, "worst error " + worst + " ulp");
        assertEquals(1.0, Softmax.exp(0));
        assertEquals(StrictMath.exp(-745.1), Softmax.exp(-745.1)); // the smallest subnormal
        assertEquals(0.0, Softmax.exp(-746));
        assertEquals(0.0, Softmax.exp(Double.NEGATIVE_INFINITY));
    }

    @Test
    void probabilitiesSumToOneWithBannedTokensAtExactlyZero() {
        float[] logits = {2f, Float.NEGATIVE_INFINITY, -1f, 0.5f};
        double[] p = Softmax.probabilities(logits, new double[4]);
        double z = Math.exp(0) + Math.exp(-3) + Math.exp(-1.5);
        assertEquals(1 / z, p[0], 1e-15);
        assertEquals(0.0, p[1]);
        assertEquals(Math.exp(-3) / z, p[2], 1e-15);
        assertEquals(1.0, p[0] + p[1] + p[2] + p[3], 1e-15);
        assertThrows(
                IllegalArgumentException.class,
                () -> Softmax.probabilities(new float[] {Float.NEGATIVE_INFINITY}, new double[1]));
    }
}
