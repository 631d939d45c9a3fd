package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes and how they degrade where a platform lacks a step: a directory that cannot be
 * synced is skipped, and a file system that cannot rename atomically gets a plain move.
 */
class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void writeReplacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.writeString(target, "new");
        assertEquals("new", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        if (Files.getFileStore(target).supportsFileAttributeView("posix")) {
            assertEquals(
                    "rw-r--r--",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        }
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aDirectoryIsSyncedWhereThePlatformCan() {
        assertTrue(AtomicFiles.syncDirectory(dir));
    }

    @Test
    void aDirectoryThatCannotBeOpenedIsSkipped() {
        // What Windows does for every directory (it cannot open one as a file): no error, no sync.
        assertFalse(AtomicFiles.syncDirectory(dir.resolve("missing")));
    }

    @Test
    void aRenameInOneDirectoryIsAtomic() throws Exception {
        Path from = Files.writeString(dir.resolve(".model.safetensors123.tmp"), "new");
        Path to = Files.writeString(dir.resolve("model.safetensors"), "old");
        assertTrue(AtomicFiles.replace(from, to));
        assertEquals("new", Files.readString(to));
        assertFalse(Files.exists(from));
    }

    @Test
    void whereNoAtomicRenameExistsTheFileIsMovedPlainly() throws Exception {
        // Across two file systems no rename is atomic (EXDEV): the fallback's real path. Here
        // /dev/shm (tmpfs) and the temporary directory; skipped where they are one file system.
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        assumeTrue(
                !Files.getFileStore(shm).equals(Files.getFileStore(dir)),
                "/dev/shm and " + dir + " are one file system");
        Path from = Files.createTempFile(shm, "tinygpt-atomic-files", ".tmp");
        try {
            Files.writeString(from, "new");
            Path to = Files.writeString(dir.resolve("model.safetensors"), "old");
            assertFalse(AtomicFiles.replace(from, to));
            assertEquals("new", Files.readString(to));
            assertFalse(Files.exists(from));
        } finally {
            Files.deleteIfExists(from);
        }
    }
}
