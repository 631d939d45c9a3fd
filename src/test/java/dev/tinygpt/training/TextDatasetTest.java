package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.training.TextDataset.Batch;
import dev.tinygpt.training.TextDataset.Split;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TextDatasetTest {
    /** ids 0..99: a token's id is its position, so a window shows where it came from. */
    private static final int[] POSITIONS = IntStream.range(0, 100).toArray();

    @Test
    void splitsNinetyTen() {
        TextDataset dataset = new TextDataset(POSITIONS, TextDataset.DEFAULT_TRAIN_FRACTION);
        assertEquals(90, dataset.size(Split.TRAIN));
        assertEquals(10, dataset.size(Split.VALIDATION));
    }

    @Test
    void targetsAreInputsShiftedByOneAndWindowsStayInTheirSplit() {
        TextDataset dataset = new TextDataset(POSITIONS, 0.9);
        int context = 4;
        Random random = new Random(42);
        Set<Integer> trainStarts = new HashSet<>();
        Set<Integer> validationStarts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Batch train = dataset.sample(Split.TRAIN, 3, context, random);
            Batch validation = dataset.sample(Split.VALIDATION, 3, context, random);
            for (int b = 0; b < 3; b++) {
                trainStarts.add(checkWindow(train, b, context));
                validationStarts.add(checkWindow(validation, b, context));
            }
        }
        // train starts cover exactly [0, 90 - 4 - 1]; validation starts exactly 90 + [0, 10 - 4 -
        // 1]
        assertEquals(IntStream.rangeClosed(0, 85).boxed().toList(), sorted(trainStarts));
        assertEquals(IntStream.rangeClosed(90, 95).boxed().toList(), sorted(validationStarts));
    }

    /** Checks one row is a contiguous window with shifted targets; returns its start position. */
    private static int checkWindow(Batch batch, int b, int context) {
        int[] in = batch.inputs()[b];
        int[] target = batch.targets()[b];
        assertEquals(context, in.length);
        assertEquals(context, target.length);
        for (int t = 0; t < context; t++) {
            assertEquals(in[0] + t, in[t]);
            assertEquals(in[t] + 1, target[t]);
        }
        return in[0];
    }

    private static java.util.List<Integer> sorted(Set<Integer> set) {
        return set.stream().sorted().toList();
    }

    @Test
    void aSeededRandomGivesTheSameBatch() {
        TextDataset dataset = new TextDataset(POSITIONS, 0.9);
        Batch a = dataset.sample(Split.TRAIN, 4, 8, new Random(7));
        Batch b = dataset.sample(Split.TRAIN, 4, 8, new Random(7));
        assertArrayEquals(a.inputs(), b.inputs());
        assertArrayEquals(a.targets(), b.targets());
    }

    @Test
    void encodesACorpusOnce() {
        String corpus = "abcdefghij".repeat(10);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus, false);
        TextDataset dataset = new TextDataset(tokenizer.encode(corpus), 0.9);
        assertEquals(90, dataset.size(Split.TRAIN));
        assertEquals(10, dataset.size(Split.VALIDATION));
        Batch batch = dataset.sample(Split.VALIDATION, 1, 9, new Random(0));
        assertEquals("abcdefghi", tokenizer.decode(batch.inputs()[0]));
        assertEquals("bcdefghij", tokenizer.decode(batch.targets()[0]));
    }

    @Test
    void explainsBadInput() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab", false);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new TextDataset(new int[0], 0.9));
        assertEquals("the corpus is empty", e.getMessage());

        String corpus = "ab".repeat(200); // 400 tokens: 360 train, 40 validation
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new TextDataset(tokenizer.encode(corpus), 0.9).requireContext(64));
        assertEquals(
                "the validation split has 40 tokens but a context of 64 needs at least 65; use a"
                        + " longer corpus or a shorter context",
                e.getMessage());
        TextDataset dataset = new TextDataset(tokenizer.encode(corpus), 0.9);
        dataset.requireContext(39);
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> dataset.sample(Split.TRAIN, 1, 360, new Random(0)));
        assertEquals(
                "the train split has 360 tokens but a context of 360 needs at least 361; use a"
                        + " longer corpus or a shorter context",
                e.getMessage());

        for (double fraction : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> new TextDataset(POSITIONS, fraction));
            assertEquals("the train fraction must be in (0, 1), got " + fraction, e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> dataset.sample(Split.TRAIN, 0, 4, new Random(0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> dataset.sample(Split.TRAIN, 1, 0, new Random(0)));
    }
}
