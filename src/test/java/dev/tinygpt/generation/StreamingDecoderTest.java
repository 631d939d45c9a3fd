package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinygpt.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
    void completeLengthCutsOnlyAnIncompleteTail() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, StreamingDecoder.completeLength(new byte[] {euro[0]}));
        assertEquals(0, StreamingDecoder.completeLength(new byte[] {euro[0], euro[1]}));
        assertEquals(3, StreamingDecoder.completeLength(euro));
        assertEquals(1, StreamingDecoder.completeLength(new byte[] {'a', euro[0], euro[1]}));
        assertEquals(2, StreamingDecoder.completeLength(new byte[] {'a', 'b'}));
    }
}
