package dev.tinygpt.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part:
 * the bytes go to a temporary file in the same directory, are forced to disk, and the temporary
 * file is renamed over the target.
 */
public final class AtomicFiles {
    /**
     * Creates {@code dir} and its parents if missing and checks that files can be written in it.
     *
     * @param what names the directory in the error: "model directory", "--out directory"
     * @throws IllegalArgumentException naming the directory when it cannot be created or written
     */
    public static void createWritableDirectory(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create " + what + " " + dir + ": " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(what + " " + dir + " is not writable");
        }
    }

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot write to directory " + dir, e);
        }
        try {
            try (OutputStream out =
                    new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
                content.writeTo(out);
            }
            try (var channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            // Temporary files are created private (rw-------); a model file is for everyone to
            // read.
            if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(
                        temp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Deletes the temporary files that atomic writes of {@code targets} into {@code dir} left when
     * their process was killed ({@code .<target><digits>.tmp}); files of any other name stay. Only
     * for a directory no other process is writing to.
     */
    public static void deleteLeftovers(Path dir, List<String> targets) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                boolean ours =
                        targets.stream()
                                .anyMatch(
                                        t ->
                                                name.matches(
                                                        "\\." + Pattern.quote(t) + "[0-9]+\\.tmp"));
                if (ours && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Forces a directory's entries (a rename into it) to disk, where the file system allows it, so
     * the rename survives a power cut and not only a killed process.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
