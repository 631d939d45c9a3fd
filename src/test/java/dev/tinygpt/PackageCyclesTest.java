package dev.tinygpt;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Lower packages never reach up (STYLE.md): no cycle among the packages of {@code src/main}. A
 * package uses another when its code names {@code dev.tinygpt.other.} (imports, static imports and
 * qualified names; comments and literals do not count).
 */
class PackageCyclesTest {
    private static final Path ROOT = Path.of("src/main/java/dev/tinygpt");
    private static final Pattern USE = Pattern.compile("\\bdev\\.tinygpt\\.(\\w+)\\.");
    private static final Pattern NOT_CODE =
            Pattern.compile(
                    "//[^\\n]*|/\\*[\\s\\S]*?\\*/|'(\\\\.|[^'\\\\])+'|\"\"\"[\\s\\S]*?\"\"\"|\"(\\\\.|[^\"\\\\\\n])*\"");

    @Test
    void thePackagesFormNoCycle() throws Exception {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = ROOT.relativize(file).getName(0).toString();
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = USE.matcher(NOT_CODE.matcher(Files.readString(file)).replaceAll(""));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        assertTrue(
                uses.get("cli").containsAll(List.of("generation", "io", "tokenizer")), "" + uses);
        for (String start : uses.keySet()) {
            Map<String, String> reachedFrom = new HashMap<>();
            Deque<String> queue = new ArrayDeque<>(List.of(start));
            while (!queue.isEmpty()) {
                String p = queue.poll();
                for (String q : uses.getOrDefault(p, Set.of())) {
                    if (q.equals(start)) {
                        List<String> cycle = new ArrayList<>(List.of(start));
                        for (String s = p; s != null; s = reachedFrom.get(s)) {
                            cycle.add(s);
                        }
                        Collections.reverse(cycle);
                        fail("package cycle " + String.join(" -> ", cycle) + " in " + uses);
                    }
                    if (reachedFrom.putIfAbsent(q, p) == null) {
                        queue.add(q);
                    }
                }
            }
        }
    }
}
