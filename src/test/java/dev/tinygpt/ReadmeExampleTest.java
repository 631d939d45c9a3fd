package dev.tinygpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java example in README.md compiles and runs exactly as printed: the test cuts the code block
 * out of the README, compiles it against the project's classpath and runs its {@code main} from the
 * project root, where {@code models/exercise} is.
 */
class ReadmeExampleTest {

    @Test
    void readmeExampleCompilesAndRuns(@TempDir Path work) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        Matcher m =
                Pattern.compile(
                                "<!-- example: (\\w+)\\.java -->\\s*```java\\n(.*?)```",
                                Pattern.DOTALL)
                        .matcher(readme);
        assertTrue(m.find(), "README.md has no '<!-- example: Name.java -->' java block");
        String className = m.group(1);
        Path source = work.resolve(className + ".java");
        Files.writeString(source, m.group(2));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status =
                javac.run(
                        null,
                        diagnostics,
                        diagnostics,
                        "-classpath",
                        System.getProperty("java.class.path"),
                        "-d",
                        work.toString(),
                        "-Xlint:all",
                        "-Werror",
                        source.toString());
        assertEquals(0, status, diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertTrue(
                lines.get(0).matches("next ids: \\d+, \\d+ \\(cache holds 5 positions\\)"),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("the cat sat on "), lines.get(1));
        assertEquals(24, lines.get(1).split(" ").length, lines.get(1));
        assertTrue(
                lines.get(2).matches("prefill [0-9.]+ ms, decode [0-9]+ tokens/s"), lines.get(2));
    }
}
