package dev.tinygpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded, fuzz-style damage to a file's bytes: truncation, overwritten or deleted bytes, digits
 * changed (which keeps JSON valid but moves shapes, offsets and sizes), inserted garbage. Each
 * mutation comes with a description, so a failing case names what was done to the file.
 */
public final class Mutations {
    /** Damaged bytes and what was done to them. */
    public record Mutant(byte[] bytes, String description) {}

    private static final long[] EDGE_LONGS = {
        0, 1, -1, 7, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, 1L << 31, 1L << 40, 1L << 62
    };

    private Mutations() {}

    /**
     * One random mutation of {@code original}, touching only {@code [from, to)} except for a
     * truncation, which may cut anywhere.
     */
    public static Mutant mutate(byte[] original, int from, int to, Random r) {
        byte[] b = original.clone();
        int span = Math.max(1, to - from);
        switch (r.nextInt(7)) {
            case 0 -> {
                int length = r.nextInt(original.length);
                return new Mutant(Arrays.copyOf(b, length), "truncated to " + length + " bytes");
            }
            case 1 -> {
                int n = 1 + r.nextInt(4);
                StringBuilder where = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    int at = from + r.nextInt(span);
                    b[at] = (byte) r.nextInt(256);
                    where.append(at).append(' ');
                }
                return new Mutant(b, "random bytes at " + where.toString().strip());
            }
            case 2 -> {
                int at = from + r.nextInt(span);
                int length = Math.min(b.length - at, 1 + r.nextInt(16));
                byte[] out = new byte[b.length - length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + length, out, at, b.length - at - length);
                return new Mutant(out, "deleted " + length + " bytes at " + at);
            }
            case 3 -> {
                int[] digits = positions(b, from, to, '0', '9');
                if (digits.length == 0) {
                    return mutate(original, from, to, r);
                }
                int at = digits[r.nextInt(digits.length)];
                b[at] = (byte) ('0' + r.nextInt(10));
                return new Mutant(b, "digit at " + at + " set to " + (char) b[at]);
            }
            case 4 -> {
                int[] digits = positions(b, from, to, '0', '9');
                if (digits.length == 0) {
                    return mutate(original, from, to, r);
                }
                int at = digits[r.nextInt(digits.length)];
                String extra = r.nextBoolean() ? "99999999999" : "-";
                return new Mutant(insert(b, at, extra.getBytes()), "'" + extra + "' before " + at);
            }
            case 5 -> {
                int at = from + r.nextInt(span);
                byte[] garbage = new byte[1 + r.nextInt(8)];
                r.nextBytes(garbage);
                return new Mutant(
                        insert(b, at, garbage), garbage.length + " bytes inserted at " + at);
            }
            default -> {
                int at = from + r.nextInt(span);
                int length = Math.min(b.length - at, 1 + r.nextInt(32));
                byte c = "{}[]\",:".getBytes()[r.nextInt(7)];
                Arrays.fill(b, at, at + length, c);
                return new Mutant(b, length + " × '" + (char) c + "' at " + at);
            }
        }
    }

    /** A safetensors file with its 8-byte header length replaced by an edge or random value. */
    public static Mutant headerLength(byte[] safetensors, Random r) {
        byte[] b = safetensors.clone();
        long value = r.nextBoolean() ? EDGE_LONGS[r.nextInt(EDGE_LONGS.length)] : r.nextLong();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        return new Mutant(b, "header length set to " + value);
    }

    private static byte[] insert(byte[] b, int at, byte[] extra) {
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        return out;
    }

    private static int[] positions(byte[] b, int from, int to, char low, char high) {
        return java.util.stream.IntStream.range(from, Math.min(to, b.length))
                .filter(i -> b[i] >= low && b[i] <= high)
                .toArray();
    }
}
