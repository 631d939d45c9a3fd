package dev.tinygpt.training;

import dev.tinygpt.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a run holds on its directory's {@code .lock} while it writes, so two processes never
 * train into one directory; the operating system releases it when the process dies.
 */
final class DirectoryLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final boolean createdFile;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir) throws IOException {
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
        if (held == null) {
            channel.close();
            throw new IllegalArgumentException(
                    "another tinygpt train is writing to " + dir + "; wait for it to finish");
        }
        this.lock = held;
    }

    /** Locks {@code dir}, creating it and its parents first; names what went wrong. */
    static DirectoryLock create(Path dir) throws IOException {
        AtomicFiles.createWritableDirectory(dir, "output directory");
        return new DirectoryLock(dir);
    }

    /** Locks an existing directory. */
    static DirectoryLock existing(Path dir) throws IOException {
        return new DirectoryLock(dir);
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
}
