package dev.tinygpt.testenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer against a pretend machine that records the commands it is asked to run: nothing
 * runs when everything is there (a second run reaches no network), each missing component is
 * installed once, {@code apt-get update} runs only after a failed install, and what cannot be
 * installed comes back with its reason.
 */
class InstallerTest {
    private static final String LOCK =
            "{\"packages\":{\"node_modules/playwright-core\":{\"version\":\"1.65.1\"}}}";

    @TempDir Path browser;

    private final FakeMachine machine = new FakeMachine();

    @BeforeEach
    void lockFile() throws IOException {
        Files.writeString(browser.resolve("package-lock.json"), LOCK);
    }

    @Test
    void whenEverythingIsThereNothingRuns() throws IOException {
        machine.haveEverything(browser);
        assertEquals(Map.of(), installer().ensureAll(line -> {}));
        assertEquals(List.of(), machine.commands);
    }

    @Test
    void aFreshMachineGetsEachComponentOnceAndASecondRunDoesNothing() throws IOException {
        List<String> progress = new ArrayList<>();
        assertEquals(Map.of(), installer().ensureAll(progress::add));
        assertEquals(
                List.of(
                        "apt-get install -y -q --no-install-recommends chromium",
                        "apt-get install -y -q --no-install-recommends nginx",
                        "apt-get install -y -q --no-install-recommends nodejs npm",
                        "/usr/bin/npm ci --no-audit --no-fund --loglevel=error"),
                machine.commands);
        assertEquals(4, progress.size());
        machine.commands.clear();
        assertEquals(Map.of(), installer().ensureAll(line -> {}));
        assertEquals(List.of(), machine.commands);
    }

    @Test
    void aFailedInstallUpdatesThePackageListsAndTriesOnce() throws IOException {
        machine.haveEverything(browser);
        machine.files.remove(Component.NGINX.executable());
        machine.failures = 1;
        assertEquals(Map.of(), installer().ensureAll(line -> {}));
        assertEquals(
                List.of(
                        "apt-get install -y -q --no-install-recommends nginx",
                        "apt-get update -q",
                        "apt-get install -y -q --no-install-recommends nginx"),
                machine.commands);
    }

    @Test
    void whatCannotBeInstalledComesBackWithItsReason() throws IOException {
        machine.haveEverything(browser);
        machine.files.remove(Component.CHROMIUM.executable());
        machine.failures = 3;
        Map<Component, String> missing = installer().ensureAll(line -> {});
        assertEquals(
                Map.of(
                        Component.CHROMIUM,
                        "apt-get install chromium failed (exit 100, apt-get update exit 100; see"
                                + " target/test-components/install.log)"),
                missing);
    }

    @Test
    void withoutRootNothingIsTriedAndPlaywrightWaitsForNode() throws IOException {
        machine.root = false;
        Map<Component, String> missing = installer().ensureAll(line -> {});
        assertEquals(List.of(), machine.commands);
        assertEquals("not root (apt-get install nginx needs root)", missing.get(Component.NGINX));
        assertEquals(
                "needs node and npm, which are missing", missing.get(Component.PLAYWRIGHT_CORE));
        assertEquals(4, missing.size());
    }

    @Test
    void aPlaywrightOfAnotherVersionIsReplacedByTheLockedOne() throws IOException {
        machine.haveEverything(browser);
        Files.writeString(
                browser.resolve("node_modules/playwright-core/package.json"),
                "{\"version\":\"1.40.0\"}");
        assertEquals(
                Optional.of("playwright-core 1.40.0 installed, 1.65.1 locked"),
                installer().problem(Component.PLAYWRIGHT_CORE));
        assertEquals(Map.of(), installer().ensureAll(line -> {}));
        assertEquals(
                List.of("/usr/bin/npm ci --no-audit --no-fund --loglevel=error"), machine.commands);
    }

    @Test
    void underCiAMissingComponentFailsTheBuildAndElsewhereItIsOnlySaid() {
        Map<Component, String> missing = Map.of(Component.NGINX, "not root");
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> TestComponents.report(missing, true));
        assertTrue(e.getMessage().contains("nginx: not root"), e.getMessage());
        assertEquals(
                Optional.of(
                        "test components missing, the tests that need them will be skipped: nginx:"
                                + " not root"),
                TestComponents.report(missing, false));
    }

    @Test
    void onThisMachineTheBuildsSecondRunRunsNoCommand() throws IOException {
        TestComponents.require("the installer's second run", Component.values());
        Machine real = Machine.real(browser.resolve("install.log"));
        List<List<String>> ran = new ArrayList<>();
        Machine recording =
                new Machine() {
                    @Override
                    public boolean isExecutable(Path file) {
                        return real.isExecutable(file);
                    }

                    @Override
                    public Optional<Path> onPath(String program) {
                        return real.onPath(program);
                    }

                    @Override
                    public boolean isRoot() {
                        return real.isRoot();
                    }

                    @Override
                    public int run(List<String> command, Path dir, Map<String, String> env) {
                        ran.add(command);
                        return 1;
                    }
                };
        Installer installer = new Installer(recording, TestComponents.BROWSER_DIR, "log");
        assertEquals(Map.of(), installer.ensureAll(line -> {}));
        assertEquals(List.of(), ran);
    }

    private Installer installer() {
        return new Installer(machine, browser, "target/test-components/install.log");
    }

    /**
     * A Debian machine in miniature: apt-get "installs" a package by making its files exist, npm ci
     * by writing the locked playwright-core; {@link #failures} makes the next commands fail.
     */
    private static final class FakeMachine implements Machine {
        final Set<Path> files = new HashSet<>();
        final List<String> commands = new ArrayList<>();
        boolean root = true;
        int failures;

        void haveEverything(Path browser) throws IOException {
            files.addAll(
                    List.of(
                            Component.CHROMIUM.executable(),
                            Component.NGINX.executable(),
                            Path.of("/usr/bin/node"),
                            Path.of("/usr/bin/npm"),
                            Path.of("/usr/bin/apt-get")));
            writePlaywright(browser);
        }

        @Override
        public boolean isExecutable(Path file) {
            return files.contains(file);
        }

        @Override
        public Optional<Path> onPath(String program) {
            Path p = Path.of("/usr/bin", program);
            return files.contains(p) || program.equals("apt-get")
                    ? Optional.of(p)
                    : Optional.empty();
        }

        @Override
        public boolean isRoot() {
            return root;
        }

        @Override
        public int run(List<String> command, Path dir, Map<String, String> env) throws IOException {
            commands.add(String.join(" ", command));
            if (failures > 0) {
                failures--;
                return 100;
            }
            if (command.contains("ci")) {
                writePlaywright(dir);
            } else if (command.get(0).equals("apt-get") && command.get(1).equals("install")) {
                assertEquals("noninteractive", env.get("DEBIAN_FRONTEND"));
                for (String p : command.subList(5, command.size())) {
                    switch (p) {
                        case "chromium" -> files.add(Component.CHROMIUM.executable());
                        case "nginx" -> files.add(Component.NGINX.executable());
                        case "nodejs" -> files.add(Path.of("/usr/bin/node"));
                        default -> files.add(Path.of("/usr/bin", p));
                    }
                }
            }
            return 0;
        }

        private static void writePlaywright(Path browser) throws IOException {
            Path pkg = browser.resolve("node_modules/playwright-core/package.json");
            Files.createDirectories(pkg.getParent());
            Files.writeString(pkg, "{\"version\":\"1.65.1\"}");
        }
    }
}
