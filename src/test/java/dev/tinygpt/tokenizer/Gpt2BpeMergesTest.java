package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Gpt2BpeMerges} against encoder.py's {@code bpe()}, transcribed below line by line. */
class Gpt2BpeMergesTest {

    /** OpenAI encoder.py {@code Encoder.bpe}, on a list of token strings instead of a tuple. */
    static List<String> referenceBpe(List<String> word, Map<String, Integer> ranks) {
        if (word.size() < 2) {
            return word;
        }
        while (true) {
            String bigram = null; // min(pairs, key=rank), inf for pairs without one
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    bigram = word.get(i) + " " + word.get(i + 1);
                }
            }
            if (bigram == null) {
                break;
            }
            String first = bigram.split(" ")[0];
            String second = bigram.split(" ")[1];
            List<String> newWord = new ArrayList<>();
            int i = 0;
            while (i < word.size()) {
                int j = word.subList(i, word.size()).indexOf(first);
                if (j < 0) {
                    newWord.addAll(word.subList(i, word.size()));
                    break;
                }
                newWord.addAll(word.subList(i, i + j));
                i += j;
                if (i < word.size() - 1 && word.get(i + 1).equals(second)) {
                    newWord.add(first + second);
                    i += 2;
                } else {
                    newWord.add(word.get(i));
                    i += 1;
                }
            }
            word = newWord;
            if (word.size() == 1) {
                break;
            }
        }
        return word;
    }

    /** Random merges over {a, b, c}; with {@code shuffled}, lines may use tokens made later. */
    private static List<String> randomMerges(Random random, int count, boolean shuffled) {
        List<String> tokens = new ArrayList<>(List.of("a", "b", "c"));
        List<String> lines = new ArrayList<>();
        while (lines.size() < count) {
            String left = tokens.get(random.nextInt(tokens.size()));
            String right = tokens.get(random.nextInt(tokens.size()));
            String line = left + " " + right;
            if (left.length() + right.length() <= 8 && !lines.contains(line)) {
                lines.add(line);
                if (!tokens.contains(left + right)) {
                    tokens.add(left + right);
                }
            }
        }
        if (shuffled) {
            Collections.shuffle(lines, random);
        }
        return lines;
    }

    private static void assertSameAsReference(List<String> mergeLines, Random random, int words) {
        Map<String, Integer> vocab = Gpt2BpeTokenizerTest.vocab(mergeLines);
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((t, id) -> byId.put(id, t));
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (String line : mergeLines) {
            ranks.put(line, ranks.size());
        }
        Gpt2BpeMerges merges = Gpt2BpeMerges.parse(mergeLines, vocab);
        for (int w = 0; w < words; w++) {
            List<String> word = new ArrayList<>();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                word.add(
                        String.valueOf("abc".charAt(random.nextInt(random.nextBoolean() ? 1 : 3))));
            }
            int[] symbols = word.stream().mapToInt(vocab::get).toArray();
            List<String> actual = new ArrayList<>();
            for (int id : merges.apply(symbols)) {
                actual.add(byId.get(id));
            }
            assertEquals(referenceBpe(word, ranks), actual, () -> "merging " + word);
        }
    }

    @Test
    void matchesEncoderPyOnMergeListsInTrainingOrder() {
        Random random = new Random(11);
        for (int list = 0; list < 30; list++) {
            assertSameAsReference(randomMerges(random, 5 + random.nextInt(40), false), random, 200);
        }
    }

    @Test
    void matchesEncoderPyWhenLaterLinesOutrankTheMergesMakingTheirTokens() {
        Random random = new Random(12);
        for (int list = 0; list < 30; list++) {
            assertSameAsReference(randomMerges(random, 5 + random.nextInt(40), true), random, 200);
        }
    }

    @Test
    void longPieceMatchesReference() {
        Random random = new Random(13);
        List<String> lines = randomMerges(random, 60, false);
        assertSameAsReference(lines, new Random(14), 3);
        Map<String, Integer> vocab = Gpt2BpeTokenizerTest.vocab(lines);
        Map<String, Integer> ranks = new HashMap<>();
        lines.forEach(l -> ranks.put(l, ranks.size()));
        List<String> word = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            word.add(String.valueOf("abc".charAt(random.nextInt(3))));
        }
        int[] ids =
                Gpt2BpeMerges.parse(lines, vocab)
                        .apply(word.stream().mapToInt(vocab::get).toArray());
        List<String> expected = referenceBpe(word, ranks);
        assertEquals(expected.size(), ids.length);
        for (int i = 0; i < ids.length; i++) {
            assertEquals((int) vocab.get(expected.get(i)), ids[i], "token " + i);
        }
    }
}
