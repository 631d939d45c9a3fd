package dev.tinygpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import org.junit.jupiter.api.Test;

class ParameterCountTest {

    @Test
    void exerciseModelHas105152Parameters() {
        assertEquals(105_152, new GptModel(GptConfig.exercise()).parameterCount());
    }

    @Test
    void gpt2SmallShapeHas124439808Parameters() {
        // The figure Hugging Face reports for `gpt2` (tied head counted once).
        assertEquals(124_439_808, new GptModel(GptConfig.gpt2Small()).parameterCount());
    }

    @Test
    void summaryShowsLayersSubtotalsAndTotal() {
        String table = ParameterSummary.format(new GptModel(GptConfig.exercise()));
        assertTrue(
                table.contains("h.0.attn.c_attn.weight        (64, 192)            12,288"), table);
        assertTrue(table.contains("h.2 subtotal"), table);
        assertTrue(table.contains("33,472"), table);
        assertTrue(table.contains("lm_head.weight"), table);
        assertTrue(table.matches("(?s).*Total parameters\\s+105,152.*"), table);
    }

    @Test
    void summaryOfTiedModelNamesTheTie() {
        String table = ParameterSummary.format(new GptModel(GptConfig.gpt2Small()));
        assertTrue(table.contains("lm_head (tied to wte.weight)"), table);
        assertTrue(table.matches("(?s).*Total parameters\\s+124,439,808.*"), table);
    }
}
