package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token file is nanoGPT's {@code train.bin}: little-endian uint16 ids while the vocabulary fits
 * (GPT-2's 50,257 does), uint32 past 65,536; it maps back to the same ids, and is taken only for
 * the corpus and vocabulary it was written for.
 */
class TokenFileTest {
    @TempDir Path dir;

    @Test
    void idsAreUint16WhileTheVocabularyFitsAndUint32After() throws Exception {
        int[] gpt2 = {0, 50256, 464, 50000, 13};
        TokenFile.write(dir, gpt2, 50257, "sha");
        assertEquals("uint16", TokenFile.dtype(50257));
        assertEquals(2L * gpt2.length, Files.size(dir.resolve(TokenFile.IDS)));
        ByteBuffer bytes =
                ByteBuffer.wrap(Files.readAllBytes(dir.resolve(TokenFile.IDS)))
                        .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(50256, Short.toUnsignedInt(bytes.getShort(2)), "numpy's uint16 layout");
        assertArrayEquals(gpt2, all(TokenFile.read(dir, 50257, "sha").orElseThrow()));

        assertEquals("uint16", TokenFile.dtype(65536));
        assertEquals("uint32", TokenFile.dtype(65537));
        int[] large = {0, 65536, 100_000, 7};
        Path other = Files.createDirectories(dir.resolve("large"));
        TokenFile.write(other, large, 100_001, "sha");
        assertEquals(4L * large.length, Files.size(other.resolve(TokenFile.IDS)));
        assertArrayEquals(large, all(TokenFile.read(other, 100_001, "sha").orElseThrow()));
    }

    @Test
    void aFileOfAnotherCorpusOrVocabularyOrDamagedIsNotTaken() throws Exception {
        int[] ids = {1, 2, 3, 4};
        TokenFile.write(dir, ids, 65, "corpus-a");
        assertTrue(TokenFile.read(dir, 65, "corpus-a").isPresent());
        assertEquals(Optional.empty(), TokenFile.read(dir, 65, "corpus-b").map(TokenIds::size));
        assertEquals(Optional.empty(), TokenFile.read(dir, 66, "corpus-a").map(TokenIds::size));
        Files.write(dir.resolve(TokenFile.IDS), new byte[6]); // a truncated file
        assertEquals(Optional.empty(), TokenFile.read(dir, 65, "corpus-a").map(TokenIds::size));
        Files.writeString(dir.resolve(TokenFile.INFO), "{not json");
        assertEquals(Optional.empty(), TokenFile.read(dir, 65, "corpus-a").map(TokenIds::size));
        assertEquals(Optional.empty(), TokenFile.read(dir.resolve("none"), 65, "corpus-a"));
    }

    private static int[] all(TokenIds ids) {
        return ids.copy(0, ids.size());
    }
}
