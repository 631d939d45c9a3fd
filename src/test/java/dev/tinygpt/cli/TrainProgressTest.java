package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.training.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code train}'s progress: on a terminal a bar with the step, elapsed time and ETA and the last
 * step's figures, with evaluation lines taking the bar's place; elsewhere plain lines, each with an
 * ETA. (The bar is drawn to a buffer here, at a fixed width.)
 */
class TrainProgressTest {
    @Test
    void aTerminalGetsABarWithAnEtaAndEvaluationLinesBetween() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TrainProgress progress =
                new TrainProgress(out, TrainProgress.bar(out, 20, 40, 120), 20)) {
            for (int i = 21; i <= 40; i++) {
                progress.onStep(new TrainingListener.Step(i, 40, 1.5f, 1e-3f, 12_345));
                if (i == 30) {
                    progress.onEvaluation(new TrainingListener.Evaluation(30, 1.4, 1.6, true));
                }
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        // The last drawing of the bar: 100 %, the steps, (elapsed / ETA), the step's figures.
        String[] drawings = text.split("\r");
        String last = drawings[drawings.length - 1].strip();
        assertTrue(
                Pattern.matches(
                        "train 100% \\[=+\\] 40/40 \\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)"
                                + " loss 1\\.5000 \\| lr 1\\.00e-03 \\| 12,345 tokens/s",
                        last),
                text);
        assertTrue(
                text.contains(
                        "\r\033[2Keval step 30 | train loss 1.4000 | val loss 1.6000 | lr 1.00e-03"
                                + " | 12,345 tokens/s | best, saved | "),
                text);
    }

    @Test
    void elsewherePlainLinesWithAnEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TrainProgress progress = TrainProgress.of(out, false, 100, 200)) {
            for (int i = 101; i <= 200; i++) {
                progress.onStep(new TrainingListener.Step(i, 200, 1.25f, 2e-4f, 1000));
            }
            progress.onEvaluation(new TrainingListener.Evaluation(200, 1.2, 1.3, false));
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        // The session's first step, then every 2 % of the run (4 steps); then the evaluation.
        assertEquals(1 + 25 + 1, lines.size(), lines.toString());
        assertTrue(
                lines.get(0)
                        .matches(
                                "step 101/200 \\| loss 1\\.2500 \\| lr 2\\.00e-04 \\| 1,000"
                                        + " tokens/s \\| \\d+:\\d\\d:\\d\\d, eta \\d+:\\d\\d:\\d\\d"),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("step 104/200 |"), lines.get(1));
        assertTrue(lines.get(26).startsWith("eval step 200 | train loss 1.2000"), lines.get(26));
    }
}
