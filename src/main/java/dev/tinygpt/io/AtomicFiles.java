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
 *
 * <p>Per platform (docs/PLATFORMS.md): on Linux and macOS the rename is POSIX {@code rename(2)} and
 * the directory is synced after it, so the new file also survives a power cut. On Windows the
 * rename is {@code MoveFileEx} with replace (atomic on NTFS), but a directory cannot be opened to
 * sync it: that step is skipped, and durability after a power cut rests on the file system's
 * journal. Where no atomic rename is possible, the file is moved over the target without that
 * guarantee ({@link #replace}).
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
            replace(temp, target);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Renames {@code from} over {@code to}, atomically where the file system can: a reader sees the
     * old file or the new one. Where it cannot ({@link AtomicMoveNotSupportedException}, which the
     * JDK throws when the rename would cross file systems: {@code EXDEV} on Linux and macOS, {@code
     * ERROR_NOT_SAME_DEVICE} on Windows; not expected for two names in one directory), {@code from}
     * is moved over {@code to} without that guarantee: for a moment {@code to} may be missing, or,
     * as the move copies, partly written.
     *
     * @return whether the rename was atomic
     */
    static boolean replace(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            return false;
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
     * Forces a directory's entries (a rename into it) to disk, where the platform allows it, so the
     * rename survives a power cut and not only a killed process. Linux and macOS can; Windows
     * cannot open a directory as a file (the JDK throws {@code AccessDeniedException}), and some
     * file systems refuse to sync one: there the step is skipped, the rename itself still atomic.
     *
     * @return whether the directory was synced
     */
    public static boolean syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
            return true;
        } catch (IOException e) {
            return false; // not possible here: skipped, as documented above
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
