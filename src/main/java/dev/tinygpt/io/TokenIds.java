package dev.tinygpt.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A corpus as token ids, read by index: in a Java array, or memory-mapped from a {@link TokenFile}
 * (uint16 or uint32), so a large corpus is read from the page cache rather than held on the heap.
 */
public abstract sealed class TokenIds {
    private TokenIds() {}

    /** Ids held in an array (not copied). */
    public static TokenIds of(int[] ids) {
        return new Array(ids);
    }

    public abstract int size();

    public abstract int get(int index);

    /** {@code ids[from … from+length)} as a new array. */
    public int[] copy(int from, int length) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = get(from + i);
        }
        return out;
    }

    private static final class Array extends TokenIds {
        private final int[] ids;

        Array(int[] ids) {
            this.ids = ids;
        }

        @Override
        public int size() {
            return ids.length;
        }

        @Override
        public int get(int index) {
            return ids[index];
        }
    }

    /**
     * Ids memory-mapped from a {@link TokenFile}, little-endian: uint16 (nanoGPT's {@code
     * train.bin}, for vocabularies of at most 65,536 tokens) or uint32 (every id fits an int:
     * vocabularies are int-sized).
     */
    static final class Mapped extends TokenIds {
        private final ByteBuffer bytes;
        private final boolean uint16;

        Mapped(ByteBuffer bytes, boolean uint16) {
            this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
            this.uint16 = uint16;
        }

        @Override
        public int size() {
            return bytes.limit() / (uint16 ? 2 : 4);
        }

        @Override
        public int get(int index) {
            return uint16
                    ? Short.toUnsignedInt(bytes.getShort(2 * index))
                    : bytes.getInt(4 * index);
        }
    }
}
