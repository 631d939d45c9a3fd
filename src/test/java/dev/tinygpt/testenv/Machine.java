package dev.tinygpt.testenv;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the installer asks of the machine: files, the PATH, root, and running a command. */
interface Machine {
    boolean isExecutable(Path file);

    /** The program's path when an executable of that name is on the PATH. */
    Optional<Path> onPath(String program);

    boolean isRoot();

    /**
     * Runs {@code command} in {@code dir} with {@code env} added, its output appended to the
     * installer's log; returns its exit code.
     */
    int run(List<String> command, Path dir, Map<String, String> env) throws IOException;

    /** This machine, its commands' output appended to {@code log}. */
    static Machine real(Path log) {
        return new Real(log);
    }

    /** The real machine. */
    final class Real implements Machine {
        /** An apt-get install of Chromium took 1–2 minutes here; a hung mirror must not hang CI. */
        private static final long COMMAND_MINUTES = 20;

        private final Path log;

        Real(Path log) {
            this.log = log;
        }

        @Override
        public boolean isExecutable(Path file) {
            return Files.isRegularFile(file) && Files.isExecutable(file);
        }

        @Override
        public Optional<Path> onPath(String program) {
            String path = System.getenv().getOrDefault("PATH", "");
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        }

        @Override
        public boolean isRoot() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        return line.split("\\s+")[2].equals("0"); // real, effective, …: effective
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: not root as far as apt-get is concerned
            }
            return false;
        }

        @Override
        public int run(List<String> command, Path dir, Map<String, String> env) throws IOException {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", CREATE, APPEND);
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close(); // nothing to answer: a prompt fails, not hangs
            try {
                if (!process.waitFor(COMMAND_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IOException(
                            String.join(" ", command)
                                    + " did not finish in "
                                    + COMMAND_MINUTES
                                    + " min");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            return process.exitValue();
        }
    }
}
