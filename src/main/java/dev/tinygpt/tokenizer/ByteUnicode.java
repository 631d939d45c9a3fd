package dev.tinygpt.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's reversible byte ↔ character table ({@code bytes_to_unicode} in OpenAI's encoder.py): the
 * 188 printable bytes {@code '!'..'~'}, {@code '¡'..'¬'}, {@code '®'..'ÿ'} stand for themselves,
 * the other 68 bytes map in order to {@code U+0100 + n}. So a space (0x20) is {@code 'Ġ'} and a
 * newline (0x0A) is {@code 'Ċ'}, and every vocabulary string is printable text.
 */
final class ByteUnicode {
    /** One past the largest character the table uses: 256 + 68 = U+0144. */
    private static final int CHAR_LIMIT = 256 + 68;

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[CHAR_LIMIT];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable(b) ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= '¡' && b <= '¬') || (b >= '®' && b <= 'ÿ');
    }

    /** The character standing for byte {@code b} (0..255; a Java {@code byte} is masked). */
    static char toChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte that character {@code c} stands for, or -1 if {@code c} is not in the table. */
    static int toByte(char c) {
        return c < CHAR_LIMIT ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The bytes a vocabulary string stands for, or {@code null} if one of its characters is not in
     * the table (a token added in plain text, such as {@code "<|ʻokina|>"}, rather than in GPT-2's
     * byte alphabet).
     */
    static byte[] toBytes(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = toByte(token.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
