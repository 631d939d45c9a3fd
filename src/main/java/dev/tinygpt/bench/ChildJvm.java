package dev.tinygpt.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The command line of a new JVM like this one: its java binary and class path, then a class. */
final class ChildJvm {
    private ChildJvm() {}

    /** {@code java [jvmOptions] -cp <this class path> mainClass args…}. */
    static List<String> command(List<String> jvmOptions, String mainClass, String... args)
            throws IOException {
        String java =
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElseThrow(() -> new IOException("cannot find this process's java"));
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
