package dev.tinygpt.io;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A corpus tokenized once, beside the run that trains on it: {@value #IDS} holds the ids as
 * little-endian uint16 when the vocabulary fits (nanoGPT's {@code train.bin}, which {@code
 * numpy.memmap(path, dtype=numpy.uint16)} reads), else uint32; {@value #INFO} says which, how many,
 * and of which corpus (its SHA-256). A resume memory-maps the file instead of tokenizing again.
 * Both are written atomically, {@value #INFO} last, so a killed write leaves no file that is taken.
 */
public final class TokenFile {
    public static final String IDS = "tokens.bin";
    public static final String INFO = "tokens.json";

    /** The most ids one file maps: its bytes must fit one Java buffer. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    private TokenFile() {}

    /** {@code uint16} when every id of the vocabulary fits, else {@code uint32}. */
    public static String dtype(int vocabSize) {
        return vocabSize <= 1 << 16 ? "uint16" : "uint32";
    }

    /** Writes {@code ids} of a corpus and a vocabulary into {@code dir}. */
    public static void write(Path dir, int[] ids, int vocabSize, String corpusSha256)
            throws IOException {
        String dtype = dtype(vocabSize);
        int width = width(dtype);
        if ((long) ids.length * width > MAX_BYTES) {
            throw new IllegalArgumentException(
                    String.format(
                            "the corpus has %,d tokens, more than the %,d a token file holds",
                            ids.length, MAX_BYTES / width));
        }
        ByteBuffer bytes = ByteBuffer.allocate(ids.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            if (width == 2) {
                bytes.putShort((short) id);
            } else {
                bytes.putInt(id);
            }
        }
        AtomicFiles.write(dir.resolve(IDS), out -> out.write(bytes.array()));
        JsonObject info = new JsonObject();
        info.addProperty("dtype", dtype);
        info.addProperty("count", ids.length);
        info.addProperty("vocab_size", vocabSize);
        info.addProperty("corpus_sha256", corpusSha256);
        AtomicFiles.writeString(dir.resolve(INFO), info + "\n");
    }

    /**
     * The ids a {@link #write} left in {@code dir} for this corpus and vocabulary, memory-mapped;
     * empty when there are none, they are another corpus's, or the files disagree (a resume then
     * tokenizes again).
     */
    public static Optional<TokenIds> read(Path dir, int vocabSize, String corpusSha256)
            throws IOException {
        Path info = dir.resolve(INFO);
        Path ids = dir.resolve(IDS);
        if (!Files.isRegularFile(info) || !Files.isRegularFile(ids)) {
            return Optional.empty();
        }
        try {
            JsonObject o = TextFiles.readJson(info, TextFiles.MAX_CONFIG_BYTES).getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            long count = o.get("count").getAsLong();
            boolean same =
                    dtype.equals(dtype(vocabSize))
                            && o.get("vocab_size").getAsInt() == vocabSize
                            && o.get("corpus_sha256").getAsString().equals(corpusSha256)
                            && Files.size(ids) == count * width(dtype);
            return same ? Optional.of(map(ids, dtype, (int) count)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // not a file we wrote: tokenize again
        }
    }

    private static TokenIds map(Path file, String dtype, int count) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer bytes =
                    channel.map(FileChannel.MapMode.READ_ONLY, 0, (long) count * width(dtype));
            return new TokenIds.Mapped(bytes, dtype.equals("uint16"));
        }
    }

    private static int width(String dtype) {
        return dtype.equals("uint16") ? 2 : 4;
    }
}
