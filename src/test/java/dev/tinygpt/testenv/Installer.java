package dev.tinygpt.testenv;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Provides each {@link Component}: nothing is done for one already present (so a second run runs no
 * command and reaches no network); a missing one is installed with {@code apt-get} (as root,
 * non-interactive, {@code apt-get update} only when the install fails without it) or, for
 * playwright-core, {@code npm ci} from {@code src/test/browser}'s lock file. What cannot be
 * installed is returned with the reason, one line each.
 */
final class Installer {
    private static final Map<String, String> APT_ENV = Map.of("DEBIAN_FRONTEND", "noninteractive");

    private final Machine machine;
    private final Path browserDir;
    private final String logName;

    /**
     * @param browserDir where {@code package.json}, {@code package-lock.json} and {@code
     *     node_modules} of the browser test are
     * @param logName how messages name the log the commands' output goes to
     */
    Installer(Machine machine, Path browserDir, String logName) {
        this.machine = machine;
        this.browserDir = browserDir;
        this.logName = logName;
    }

    /** Why {@code c} is not usable now, or empty when it is. */
    Optional<String> problem(Component c) {
        return switch (c) {
            case CHROMIUM, NGINX ->
                    machine.isExecutable(c.executable())
                            ? Optional.empty()
                            : Optional.of(c.executable() + " not found");
            case NODE -> missingPrograms();
            case PLAYWRIGHT_CORE -> playwrightProblem();
        };
    }

    /**
     * Installs every missing component, in order (node before playwright-core); returns the ones
     * still missing with why. {@code progress} hears one line before each install.
     */
    Map<Component, String> ensureAll(Consumer<String> progress) throws IOException {
        Map<Component, String> missing = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            if (problem(c).isEmpty()) {
                continue;
            }
            Optional<String> reason;
            if (c == Component.PLAYWRIGHT_CORE && missing.containsKey(Component.NODE)) {
                reason = Optional.of("needs node and npm, which are missing");
            } else {
                progress.accept("installing " + c.label() + " (" + how(c) + ")");
                reason = install(c).or(() -> problem(c).map(p -> how(c) + " succeeded but " + p));
            }
            reason.ifPresent(r -> missing.put(c, r));
        }
        return missing;
    }

    /** The command that provides {@code c}, as messages show it. */
    static String how(Component c) {
        return c == Component.PLAYWRIGHT_CORE
                ? "npm ci in src/test/browser"
                : "apt-get install " + String.join(" ", c.aptPackages());
    }

    private Optional<String> install(Component c) throws IOException {
        return c == Component.PLAYWRIGHT_CORE ? npmCi() : apt(c.aptPackages());
    }

    /** apt-get install; on failure apt-get update (the package lists may be stale) and again. */
    private Optional<String> apt(List<String> packages) throws IOException {
        String what = "apt-get install " + String.join(" ", packages);
        if (machine.onPath("apt-get").isEmpty()) {
            return Optional.of("no apt-get on this machine (" + what + " by hand)");
        }
        if (!machine.isRoot()) {
            return Optional.of("not root (" + what + " needs root)");
        }
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q"));
        install.add("--no-install-recommends");
        install.addAll(packages);
        Path root = Path.of("/");
        if (machine.run(install, root, APT_ENV) == 0) {
            return Optional.empty();
        }
        int update = machine.run(List.of("apt-get", "update", "-q"), root, APT_ENV);
        int code = machine.run(install, root, APT_ENV);
        return code == 0
                ? Optional.empty()
                : Optional.of(
                        what
                                + " failed (exit "
                                + code
                                + ", apt-get update exit "
                                + update
                                + "; see "
                                + logName
                                + ")");
    }

    private Optional<String> npmCi() throws IOException {
        Path npm = machine.onPath("npm").orElseThrow(); // NODE came first
        List<String> command =
                List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error");
        int code = machine.run(command, browserDir, Map.of());
        return code == 0
                ? Optional.empty()
                : Optional.of("npm ci failed (exit " + code + "; see " + logName + ")");
    }

    private Optional<String> missingPrograms() {
        List<String> absent = new ArrayList<>();
        for (String program : List.of("node", "npm")) {
            if (machine.onPath(program).isEmpty()) {
                absent.add(program);
            }
        }
        return absent.isEmpty()
                ? Optional.empty()
                : Optional.of(String.join(" and ", absent) + " not on the PATH");
    }

    /** playwright-core in node_modules at the lock file's version, or why not. */
    private Optional<String> playwrightProblem() {
        try {
            String locked = version(browserDir.resolve("package-lock.json"), true);
            Path installed = browserDir.resolve("node_modules/playwright-core/package.json");
            if (!Files.isRegularFile(installed)) {
                return Optional.of("playwright-core " + locked + " is not installed");
            }
            String have = version(installed, false);
            return have.equals(locked)
                    ? Optional.empty()
                    : Optional.of("playwright-core " + have + " installed, " + locked + " locked");
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot read the browser test's npm files: " + e.getMessage());
        }
    }

    /**
     * The version a package.json states, or the one a package-lock.json pins playwright-core to.
     */
    private static String version(Path file, boolean lock) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonObject entry =
                lock
                        ? json.getAsJsonObject("packages")
                                .getAsJsonObject("node_modules/playwright-core")
                        : json;
        if (entry == null || !entry.has("version")) {
            throw new IOException(file + " names no playwright-core version");
        }
        return entry.get("version").getAsString();
    }
}
