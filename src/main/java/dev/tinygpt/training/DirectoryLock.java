package dev.tinygpt.training;

import dev.tinygpt.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a run holds on its directory's {@code .lock} while it writes, so two processes never
 * train into one directory; the operating system releases it when the process dies. It remembers
 * what it created (the lock file, the directory and its missing parents): a run that is refused
 * before it starts {@link #abandon abandons} the lock and leaves the file system as it found it.
 */
final class DirectoryLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final Path dir;
    private final Path firstCreated;
    private final boolean createdFile;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, Path firstCreated) throws IOException {
        this.dir = dir;
        this.firstCreated = firstCreated;
        Path file = dir.resolve(FILE);
        this.createdFile = !Files.exists(file);
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null; // this JVM holds it already
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        // A run that abandoned the directory deletes the file it locked: the lock of a deleted
        // file guards nothing.
        if (held == null || !Files.exists(file)) {
            channel.close();
            throw new IllegalArgumentException(
                    "another tinygpt train is writing to " + dir + "; wait for it to finish");
        }
        this.lock = held;
    }

    /** Locks {@code dir}, creating it and its missing parents first; names what went wrong. */
    static DirectoryLock create(Path dir) throws IOException {
        Path firstCreated = null;
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            firstCreated = p;
        }
        try {
            AtomicFiles.createWritableDirectory(dir, "output directory");
            return new DirectoryLock(dir, firstCreated);
        } catch (IOException | RuntimeException e) {
            try {
                deleteDirectories(dir, firstCreated);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Locks an existing directory. */
    static DirectoryLock existing(Path dir) throws IOException {
        return new DirectoryLock(dir, null);
    }

    /** Whether the lock file was there before: a run was started in this directory. */
    boolean preexisting() {
        return !createdFile;
    }

    /** Releases the lock. Closing twice is harmless. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            lock.release();
            channel.close();
        }
    }

    /**
     * Releases the lock of a run that never started, and deletes what this lock created: the lock
     * file (while still held, so no other process takes a lock on a file being deleted) and the
     * directories, as long as they are empty.
     */
    void abandon() throws IOException {
        try {
            if (createdFile && channel.isOpen()) {
                Files.deleteIfExists(dir.resolve(FILE));
            }
        } finally {
            close();
        }
        deleteDirectories(dir, firstCreated);
    }

    /** Deletes {@code dir} and its parents up to {@code last}, while they are empty. */
    private static void deleteDirectories(Path dir, Path last) throws IOException {
        if (last == null) {
            return;
        }
        for (Path p = dir.toAbsolutePath(); p != null && p.startsWith(last); p = p.getParent()) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                continue; // never created: a file stood in the way
            }
            try {
                Files.deleteIfExists(p);
            } catch (DirectoryNotEmptyException e) {
                return; // someone else's file: it stays, and so do the directories holding it
            }
        }
    }
}
