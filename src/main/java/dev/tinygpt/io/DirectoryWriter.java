package dev.tinygpt.io;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a directory whole: its files go into a new directory beside it, which is then renamed into
 * place, so a reader (or a crash) never finds half a model. A target that holds anything is refused
 * unless told to replace it; then it is moved aside, the new one renamed in, and the old one
 * deleted — nothing of it is left (no stray {@code training.json} or {@code checkpoint/}). A crash
 * between the two renames leaves the old directory beside the target, named {@code
 * .<name>.replaced-<n>}.
 */
public final class DirectoryWriter {
    /** Writes the files of a directory into {@code dir}. */
    @FunctionalInterface
    public interface Contents {
        void writeInto(Path dir) throws IOException;
    }

    private DirectoryWriter() {}

    /**
     * @param option names the target in errors ("--out")
     * @param replace replace a target that holds something (the user's {@code --force})
     */
    public static void write(Path target, String option, boolean replace, Contents files)
            throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new IllegalArgumentException(
                    option + " " + target + " is a file, not a directory");
        }
        if (!replace && !isEmpty(absolute)) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + target
                            + " is not empty; give --force to replace it with the new model");
        }
        Path parent = absolute.getParent();
        AtomicFiles.createWritableDirectory(parent, "the parent of " + option);
        Path fresh;
        try {
            fresh = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".new-");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot create model directory " + target + ": " + e.getMessage(), e);
        }
        try {
            files.writeInto(fresh);
            moveInto(fresh, absolute);
        } catch (IOException | RuntimeException e) {
            deleteTree(fresh);
            throw e;
        }
    }

    /** Renames {@code fresh} to {@code target}, moving an existing target aside first. */
    private static void moveInto(Path fresh, Path target) throws IOException {
        if (!Files.exists(target)) {
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(target.getParent());
            return;
        }
        Path old =
                Files.createTempDirectory(
                        target.getParent(), "." + target.getFileName() + ".replaced-");
        Files.delete(old); // only its unique name is wanted
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(target.getParent());
        deleteTree(old);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    // a file appeared meanwhile: leave the rest, nothing of the user's is lost
                }
            }
        }
    }
}
