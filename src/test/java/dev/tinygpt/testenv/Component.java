package dev.tinygpt.testenv;

import java.nio.file.Path;
import java.util.List;

/**
 * A program the browser and nginx tests need from outside Maven, and the Debian packages that bring
 * it ({@code playwright-core} comes from npm instead: {@code src/test/browser}'s lock file).
 */
public enum Component {
    /** Debian's Chromium, which playwright-core drives headless (it downloads no browser). */
    CHROMIUM("chromium", Path.of("/usr/bin/chromium"), List.of("chromium")),
    /** Debian's nginx, the load balancer in front of two replicas. */
    NGINX("nginx", Path.of("/usr/sbin/nginx"), List.of("nginx")),
    /**
     * Node.js and npm, which install and run playwright-core; Debian's when the machine has none.
     */
    NODE("node and npm", null, List.of("nodejs", "npm")),
    /** playwright-core at the version {@code src/test/browser/package-lock.json} pins. */
    PLAYWRIGHT_CORE("playwright-core", null, List.of());

    private final String label;
    private final Path executable;
    private final List<String> aptPackages;

    Component(String label, Path executable, List<String> aptPackages) {
        this.label = label;
        this.executable = executable;
        this.aptPackages = aptPackages;
    }

    /** How messages name it. */
    public String label() {
        return label;
    }

    /** Where Debian installs it: a fixed path (null for node and playwright-core). */
    public Path executable() {
        return executable;
    }

    List<String> aptPackages() {
        return aptPackages;
    }

    /** The file that holds why the installer could not provide it (under {@code target/}). */
    String missingFileName() {
        return name().toLowerCase(java.util.Locale.ROOT) + ".missing";
    }
}
