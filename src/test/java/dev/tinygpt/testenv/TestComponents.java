package dev.tinygpt.testenv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The test components from outside Maven: {@link #main} installs what is missing (Maven runs it
 * before the tests, see pom.xml), {@link #require} lets a test run only where its components are.
 *
 * <p>Where a component cannot be installed (not root, no apt-get, no network) the installer writes
 * why to {@code target/test-components/<component>.missing} and the tests that need it are skipped
 * with one line naming it. Under CI ({@code CI=true}) a missing component fails the build instead:
 * CI must run those tests, not skip them.
 */
public final class TestComponents {
    /** Where the installer's log and its "missing" notes go, under the project. */
    static final Path STATE = Path.of("target", "test-components");

    /** The browser test's npm project (its {@code node_modules} is not committed). */
    public static final Path BROWSER_DIR = Path.of("src", "test", "browser");

    private TestComponents() {}

    /** {@code args[0]}: the project directory. Installs what is missing; see the class comment. */
    public static void main(String[] args) throws IOException {
        Path project = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        Path state = project.resolve(STATE);
        Files.createDirectories(state);
        Path log = state.resolve("install.log");
        Installer installer =
                new Installer(
                        Machine.real(log),
                        project.resolve(BROWSER_DIR),
                        project.relativize(log).toString());
        long start = System.nanoTime();
        List<String> done = new ArrayList<>();
        Map<Component, String> missing =
                installer.ensureAll(
                        line -> {
                            done.add(line);
                            System.out.println("test components: " + line + " …");
                        });
        for (Component c : Component.values()) {
            Path note = state.resolve(c.missingFileName());
            if (missing.containsKey(c)) {
                Files.writeString(note, missing.get(c) + "\n");
            } else {
                Files.deleteIfExists(note);
            }
        }
        if (!done.isEmpty()) {
            System.out.printf(
                    "test components: done in %.0f s%n", (System.nanoTime() - start) / 1e9);
        }
        report(missing, "true".equals(System.getenv("CI"))).ifPresent(System.out::println);
    }

    /**
     * What to say about the missing components (nothing when none is); under CI a missing one is an
     * error instead.
     */
    static Optional<String> report(Map<Component, String> missing, boolean ci) {
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        String what =
                missing.entrySet().stream()
                        .map(e -> e.getKey().label() + ": " + e.getValue())
                        .collect(Collectors.joining("; "));
        if (ci) {
            throw new IllegalStateException(
                    "test components missing under CI, whose tests must run: " + what);
        }
        return Optional.of(
                "test components missing, the tests that need them will be skipped: " + what);
    }

    /**
     * Skips the calling test (one line on standard error and JUnit's skip reason) unless every one
     * of {@code components} is usable; {@code test} names it in the line. Under CI ({@code
     * CI=true}) it fails instead: CI must run the test.
     */
    public static void require(String test, Component... components) {
        Installer installer =
                new Installer(Machine.real(STATE.resolve("unused.log")), BROWSER_DIR, "");
        List<String> missing = new ArrayList<>();
        for (Component c : components) {
            installer
                    .problem(c)
                    .ifPresent(p -> missing.add(c.label() + " (" + p + ": " + why(c) + ")"));
        }
        if (missing.isEmpty()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(
                    test + " cannot run under CI: missing " + String.join(", ", missing));
        }
        String line = test + " skipped: missing " + String.join(", ", missing);
        System.err.println(line);
        Assumptions.abort(line);
    }

    /** What the installer wrote about {@code c}, or that it did not run. */
    private static String why(Component c) {
        try {
            return Files.readString(STATE.resolve(c.missingFileName())).strip();
        } catch (IOException e) {
            return "the installer did not run: mvn verify runs it before the tests";
        }
    }
}
