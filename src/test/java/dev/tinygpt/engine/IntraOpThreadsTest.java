package dev.tinygpt.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinygpt.config.GptConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntraOpThreadsTest {

    @AfterEach
    void forget() {
        System.clearProperty(IntraOpThreads.PROPERTY);
        IntraOpThreads.reset();
    }

    @Test
    void smallStepsRunOnOneThreadLargeOnesOnEveryCore() {
        GptConfig gpt2 = GptConfig.gpt2Small();
        int cores = IntraOpThreads.cores();
        assertEquals(1, IntraOpThreads.forWork(gpt2.stepFlops(1, 1, 100))); // a decode step
        assertEquals(1, IntraOpThreads.forWork(GptConfig.exercise().stepFlops(16, 32, 0)));
        assertEquals(cores, IntraOpThreads.forWork(gpt2.stepFlops(1, 16, 0))); // a prefill
        assertEquals(cores, IntraOpThreads.forWork(gpt2.stepFlops(16, 1, 100))); // batch 16
    }

    @Test
    void aPinWinsOverTheRuleAndResetForgetsIt() {
        IntraOpThreads.pin(3);
        assertEquals(3, IntraOpThreads.forWork(1));
        assertEquals(3, IntraOpThreads.forWork(1e12));
        assertEquals("pinned to 3", IntraOpThreads.describe());
        IntraOpThreads.reset();
        assertEquals(1, IntraOpThreads.forWork(1));
    }

    @Test
    void thePropertyPinsAndABadValueIsNamed() {
        System.setProperty(IntraOpThreads.PROPERTY, "2");
        IntraOpThreads.reset();
        assertEquals(2, IntraOpThreads.forWork(1));
        System.setProperty(IntraOpThreads.PROPERTY, "auto");
        IntraOpThreads.reset();
        assertEquals(0, IntraOpThreads.pinned());
        System.setProperty(IntraOpThreads.PROPERTY, "two");
        IntraOpThreads.reset();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, IntraOpThreads::pinned);
        assertEquals(
                "-Dtinygpt.threads must be a positive number of threads or 'auto', got 'two'",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntraOpThreads.pin(-1));
    }
}
