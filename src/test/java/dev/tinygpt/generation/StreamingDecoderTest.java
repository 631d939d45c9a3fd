package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.tokenizer.Gpt2BpeTokenizer;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.tokenizer.TokenizerFixtures;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    /** A byte-level tokenizer: id = one byte, so multi-byte characters split across tokens. */
    private static final Tokenizer BYTES =
            new Tokenizer() {
                @Override
                public int[] encode(String text) {
                    byte[] b = text.getBytes(StandardCharsets.UTF_8);
                    int[] ids = new int[b.length];
                    for (int i = 0; i < b.length; i++) {
                        ids[i] = b[i] & 0xFF;
                    }
                    return ids;
                }

                @Override
                public byte[] decodeBytes(int[] ids) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int id : ids) {
                        out.write(id);
                    }
                    return out.toByteArray();
                }

                @Override
                public String decode(int[] ids) {
                    return new String(decodeBytes(ids), StandardCharsets.UTF_8);
                }

                @Override
                public int vocabSize() {
                    return 256;
                }
            };

    @Test
    void neverReleasesHalfACharacter() {
        String text = "hé€😀!"; // 1-, 2-, 3- and 4-byte characters
        int[] ids = BYTES.encode(text);
        int[] prompt = {ids[0]};
        StreamingDecoder decoder = new StreamingDecoder(BYTES, prompt);
        StringBuilder out = new StringBuilder();
        StringBuilder trace = new StringBuilder();
        for (int length = 2; length <= ids.length; length++) {
            String piece = decoder.next(ids, length);
            out.append(piece);
            trace.append('[').append(piece).append(']');
        }
        assertEquals("é€😀!", out.toString());
        // Bytes of é (2), € (3), 😀 (4): output only when each character's last byte arrives.
        assertEquals("[][é][][][€][][][][😀][!]", trace.toString());
    }

    @Test
    void restGivesTheHeldBackBytesSoThePiecesAddUpToTheDecodedSequence() {
        int[] ids = BYTES.encode("a€b😀");
        int[] cut = Arrays.copyOf(ids, ids.length - 2); // ends in half of 😀
        StreamingDecoder decoder = new StreamingDecoder(BYTES, new int[] {ids[0]});
        StringBuilder out = new StringBuilder();
        for (int length = 2; length <= cut.length; length++) {
            out.append(decoder.next(cut, length));
        }
        assertEquals("€b", out.toString());
        out.append(decoder.rest(cut, cut.length));
        assertEquals(BYTES.decode(cut).substring(1), out.toString()); // "€b" + U+FFFD
        assertEquals("", decoder.rest(cut, cut.length), "nothing is given twice");
    }

    @Test
    void incrementsAddUpToTheWholeDecodingForEveryKindOfTokenizer() {
        Random random = new Random(4);
        Gpt2BpeTokenizer bpe = TokenizerFixtures.bpe();
        for (Tokenizer tokenizer :
                List.of(
                        BYTES,
                        bpe,
                        WordTokenizer.exercise(),
                        CharTokenizer.fromCorpus("abc déf\n€😀", true))) {
            int[] ids = new int[3000];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(tokenizer.vocabSize());
            }
            int[] prompt = Arrays.copyOf(ids, 5);
            StreamingDecoder decoder = new StreamingDecoder(tokenizer, prompt);
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            for (int length = 6; length <= ids.length; length++) {
                streamed.writeBytes(decoder.next(ids, length).getBytes(StandardCharsets.UTF_8));
            }
            // Everything after the prompt, except bytes of characters that never completed.
            String whole = tokenizer.decode(ids);
            String before = tokenizer.decode(prompt);
            String expected = whole.substring(before.length()).replace("\uFFFD", "");
            assertEquals(
                    expected,
                    streamed.toString(StandardCharsets.UTF_8).replace("\uFFFD", ""),
                    tokenizer.getClass().getSimpleName());
        }
    }

    @Test
    void decodesABoundedWindowPerToken() {
        int[] longest = {0};
        Tokenizer counting =
                new Tokenizer() {
                    @Override
                    public int[] encode(String text) {
                        return BYTES.encode(text);
                    }

                    @Override
                    public byte[] decodeBytes(int[] ids) {
                        longest[0] = Math.max(longest[0], ids.length);
                        return BYTES.decodeBytes(ids);
                    }

                    @Override
                    public String decode(int[] ids) {
                        return BYTES.decode(ids);
                    }

                    @Override
                    public int vocabSize() {
                        return 256;
                    }
                };
        int[] ids = counting.encode("é€😀 and plain text ".repeat(2000));
        StreamingDecoder decoder = new StreamingDecoder(counting, new int[] {ids[0]});
        for (int length = 2; length <= ids.length; length++) {
            decoder.next(ids, length);
        }
        // CONTEXT tokens plus at most the three pending bytes of a 4-byte character, plus one
        assertTrue(longest[0] <= StreamingDecoder.CONTEXT + 4, "longest window " + longest[0]);
    }

    @Test
    void completeLengthCutsOnlyAnIncompleteTail() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, StreamingDecoder.completeLength(new byte[] {euro[0]}));
        assertEquals(0, StreamingDecoder.completeLength(new byte[] {euro[0], euro[1]}));
        assertEquals(3, StreamingDecoder.completeLength(euro));
        assertEquals(1, StreamingDecoder.completeLength(new byte[] {'a', euro[0], euro[1]}));
        assertEquals(2, StreamingDecoder.completeLength(new byte[] {'a', 'b'}));
    }
}
