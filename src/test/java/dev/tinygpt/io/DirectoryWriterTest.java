package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWriterTest {
    @TempDir Path root;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesANewDirectoryAndLeavesNoTemporaries() throws IOException {
        Path out = root.resolve("model");
        DirectoryWriter.write(out, "--out", false, d -> Files.writeString(d.resolve("a"), "1"));
        assertEquals("1", Files.readString(out.resolve("a")));
        assertEquals(List.of("model"), names(root));
    }

    @Test
    void anEmptyDirectoryIsFilledWithoutForce() throws IOException {
        Path out = Files.createDirectory(root.resolve("model"));
        DirectoryWriter.write(out, "--out", false, d -> Files.writeString(d.resolve("a"), "1"));
        assertEquals(List.of("a"), names(out));
    }

    @Test
    void aNonEmptyDirectoryIsRefusedAndKeptWithoutForce() throws IOException {
        Path out = Files.createDirectory(root.resolve("model"));
        Files.writeString(out.resolve("training.json"), "keep me");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DirectoryWriter.write(
                                        out,
                                        "--out",
                                        false,
                                        d -> Files.writeString(d.resolve("a"), "1")));
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("keep me", Files.readString(out.resolve("training.json")));
        assertEquals(List.of("model"), names(root));
    }

    @Test
    void forceReplacesEverythingTheOldDirectoryHeld() throws IOException {
        Path out = Files.createDirectory(root.resolve("model"));
        Files.writeString(out.resolve("training.json"), "old run");
        Files.createDirectories(out.resolve("checkpoint/inner"));
        Files.writeString(out.resolve("checkpoint/inner/x"), "old");
        DirectoryWriter.write(out, "--out", true, d -> Files.writeString(d.resolve("a"), "new"));
        assertEquals(List.of("a"), names(out));
        assertEquals(List.of("model"), names(root));
    }

    @Test
    void aFailedWriteKeepsTheOldDirectoryAndLeavesNoTemporaries() throws IOException {
        Path out = Files.createDirectory(root.resolve("model"));
        Files.writeString(out.resolve("old"), "old");
        assertThrows(
                IOException.class,
                () ->
                        DirectoryWriter.write(
                                out,
                                "--out",
                                true,
                                d -> {
                                    Files.writeString(d.resolve("half"), "x");
                                    throw new IOException("disk full");
                                }));
        assertEquals(List.of("old"), names(out));
        assertEquals(List.of("model"), names(root));
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        Path out = Files.writeString(root.resolve("model"), "text");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DirectoryWriter.write(out, "--out", true, d -> {}));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        assertEquals("text", Files.readString(out));
    }
}
