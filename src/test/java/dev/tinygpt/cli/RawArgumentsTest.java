package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid UTF-8 in a command-line argument, which the JVM would turn into U+FFFD without a word, is
 * an error naming the argument and the byte; a real U+FFFD passes.
 */
class RawArgumentsTest {
    @TempDir Path dir;

    @Test
    void argumentsAreDecodedFromTheirRawBytes() {
        byte[] cmdline = bytes("java\0-cp\0x.jar\0Main\0tokenize\0--text\0ab", 0xFF, "c\0");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                RawArguments.utf8(
                                        new String[] {"tokenize", "--text", "ab\uFFFDc"},
                                        cmdline,
                                        StandardCharsets.UTF_8));
        assertEquals(
                "command-line argument 3 is not valid UTF-8: bad byte 0xFF at offset 2 (line 1)",
                e.getMessage());
        // A real U+FFFD is text like any other.
        byte[] genuine = "java\0Main\0--text\0ab\uFFFDc\0".getBytes(StandardCharsets.UTF_8);
        String[] args = {"--text", "ab\uFFFDc"};
        assertArrayEquals(args, RawArguments.utf8(args, genuine, StandardCharsets.UTF_8));
        // Under an ASCII locale the JVM loses every non-ASCII character; the raw bytes keep it.
        byte[] accented = "java\0Main\0--text\0caf\u00e9\0".getBytes(StandardCharsets.UTF_8);
        String[] lossy = {
            "--text",
            new String("caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.US_ASCII)
        };
        assertArrayEquals(
                new String[] {"--text", "caf\u00e9"},
                RawArguments.utf8(lossy, accented, StandardCharsets.US_ASCII));
        // Arguments that are not the tail of the command line (Maven's exec:java) stay as given.
        String[] other = {"bench"};
        assertArrayEquals(other, RawArguments.utf8(other, genuine, StandardCharsets.UTF_8));
    }

    @Test
    @EnabledOnOs(OS.LINUX) // bash, and /proc/self/cmdline to find the raw bytes in
    void theLauncherRefusesAnInvalidArgument() throws Exception {
        Files.writeString(
                dir.resolve("tinygpt-tokenizer.json"),
                "{\"type\": \"char\", \"tokens\": [\"a\", \"b\", \"c\"]}");
        // bash builds the argument's bytes from $'…', which Java's ProcessBuilder cannot pass.
        String script =
                "exec \"$0\" -cp \"$1\" -Dai.djl.offline=true dev.tinygpt.cli.Main"
                        + " tokenize --model \"$2\" --text $'ab\\xffc'";
        Process p =
                new ProcessBuilder(
                                "bash",
                                "-c",
                                script,
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                System.getProperty("java.class.path"),
                                dir.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), output);
        assertTrue(
                output.contains(
                        "tinygpt: command-line argument 5 is not valid UTF-8: bad byte 0xFF at offset 2"),
                output);
    }

    private static byte[] bytes(String before, int bad, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + 1 + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        out[a.length] = (byte) bad;
        System.arraycopy(c, 0, out, a.length + 1, c.length);
        return out;
    }
}
