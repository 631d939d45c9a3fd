package dev.tinygpt.cli;

import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line arguments as the UTF-8 text the user typed. The JVM decodes arguments itself, with
 * the locale's charset, and silently: bytes that are not valid UTF-8 become U+FFFD ({@code --prompt
 * $'\xff'} would reach a byte-level tokenizer as a replacement character), and under a non-UTF-8
 * locale so does every non-ASCII character. On Linux the raw bytes are still in {@code
 * /proc/self/cmdline}: when they are what the JVM decoded into {@code args} (so they line up), each
 * argument is decoded from them strictly, and a bad byte is an error naming it, as in files.
 * Elsewhere (macOS, Windows) there is no {@code /proc}: the arguments stay as the JVM decoded them.
 */
final class RawArguments {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");

    private RawArguments() {}

    /** The arguments decoded from their raw bytes where the kernel shows them, else as given. */
    static String[] utf8(String[] args) {
        if (!Files.isReadable(CMDLINE)) {
            return args;
        }
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(CMDLINE);
        } catch (IOException e) {
            return args; // no raw bytes: the JVM's decoding is all there is
        }
        String jnu = System.getProperty("sun.jnu.encoding");
        Charset charset =
                jnu != null && Charset.isSupported(jnu)
                        ? Charset.forName(jnu)
                        : Charset.defaultCharset();
        return utf8(args, cmdline, charset);
    }

    /**
     * @param cmdline the process's arguments as the kernel holds them, each ended by a NUL byte
     * @param jvmCharset the charset the JVM decoded them with
     * @throws IllegalArgumentException for an argument that is not valid UTF-8
     */
    static String[] utf8(String[] args, byte[] cmdline, Charset jvmCharset) {
        List<byte[]> raw = split(cmdline);
        if (raw.size() < args.length) {
            return args;
        }
        List<byte[]> ours = raw.subList(raw.size() - args.length, raw.size());
        for (int i = 0; i < args.length; i++) {
            if (!new String(ours.get(i), jvmCharset).equals(args[i])) {
                return args; // not our arguments (e.g. run inside Maven's JVM): leave them be
            }
        }
        String[] decoded = args.clone();
        for (int i = 0; i < args.length; i++) {
            decoded[i] = TextFiles.decodeUtf8(ours.get(i), "command-line argument " + (i + 1));
        }
        return decoded;
    }

    private static List<byte[]> split(byte[] cmdline) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                parts.add(Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            parts.add(Arrays.copyOfRange(cmdline, start, cmdline.length));
        }
        return parts;
    }
}
