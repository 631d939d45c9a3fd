package dev.tinygpt.cli;

import ai.djl.engine.EngineException;
import dev.tinygpt.engine.IntraOpThreads;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tinygpt} command line. Usage errors and bad input print one line, {@code tinygpt:
 * <problem>}, and exit with code 2; other failures exit with 1.
 */
@Command(
        name = "tinygpt",
        mixinStandardHelpOptions = true,
        version = "tinygpt 0.1.0",
        description = "A GPT-style causal language model engine on DJL.",
        subcommands = {
            DemoCommand.class,
            SummaryCommand.class,
            GenerateCommand.class,
            InitCommand.class,
            BenchCommand.class,
            TokenizeCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            ConvertCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        String[] text;
        try {
            text = RawArguments.utf8(args);
        } catch (IllegalArgumentException e) {
            System.err.println("tinygpt: " + oneLine(e.getMessage()));
            System.exit(2);
            return;
        }
        System.exit(run(text));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // "-hello" is a value, not the options -h -e -l -l -o clustered.
        cli.setPosixClusteredShortOptionsAllowed(false);
        // Every subcommand's --version prints the tool's version.
        cli.getSubcommands()
                .values()
                .forEach(sub -> sub.getCommandSpec().version(cli.getCommandSpec().version()));
        // UTF-8 whatever the locale: under LANG=C the JVM's default would print '?' for 'é'.
        cli.setOut(
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cli.setParameterExceptionHandler(
                (e, a) -> report(e.getCommandLine().getErr(), badArguments(e), 2));
        cli.setExecutionExceptionHandler((e, c, p) -> failed(c, e));
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The model or batch asked for more than the JVM may hold: say so in one line.
            System.err.println(
                    "tinygpt: out of memory ("
                            + e.getMessage()
                            + "): the input asks for more than this JVM may hold"
                            + " (TINYGPT_JAVA_OPTS=-Xmx… raises its limit)");
            return 1;
        } finally {
            IntraOpThreads.reset(); // a --threads pin lasts one command
            PromptFiles.forget();
        }
    }

    /** An option or argument picocli refused, with the closest option suggested. */
    private static String badArguments(CommandLine.ParameterException e) {
        String hint = "";
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getSuggestions().isEmpty()) {
            hint = "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        return withoutErrorPrefix(e.getMessage())
                + hint
                + " (see '"
                + e.getCommandLine().getCommandSpec().qualifiedName()
                + " --help')";
    }

    /**
     * What a command threw: bad input (exit 2), a failure of the system (exit 1, one line), or a
     * bug (exit 1 with its stack trace).
     */
    private static int failed(CommandLine c, Exception e) {
        PrintWriter err = c.getErr();
        if (e instanceof IllegalArgumentException) {
            return report(err, OptionNames.rewrite(c.getCommandSpec(), e.getMessage()), 2);
        }
        if (e instanceof FileSystemException f) {
            return report(err, describe(f), 2); // a path the user gave that cannot be used
        }
        if (e instanceof EngineException && String.valueOf(e.getMessage()).contains("allocate")) {
            // libtorch could not get the memory the input asks for.
            return report(err, "out of native memory: " + e.getMessage(), 1);
        }
        if (e instanceof IOException) {
            // The input was fine, the system failed us (disk full, I/O error).
            return report(err, "I/O error: " + e, 1);
        }
        err.println("tinygpt: failed: " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    private static int report(PrintWriter err, String message, int exitCode) {
        err.println("tinygpt: " + oneLine(message));
        err.flush();
        return exitCode;
    }

    /** picocli's own "Error: " in front of a message that gets the tool's prefix anyway. */
    private static String withoutErrorPrefix(String message) {
        return message != null && message.startsWith("Error: ")
                ? message.substring("Error: ".length())
                : message;
    }

    private static String describe(FileSystemException e) {
        String reason;
        if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else {
            reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        }
        return e.getFile() + ": " + reason;
    }

    /** Longest error message printed; the rest is cut. */
    static final int MAX_MESSAGE = 1000;

    /**
     * A message as one printable line: line breaks become spaces, other control characters escapes,
     * and it is cut at {@link #MAX_MESSAGE} characters.
     */
    static String oneLine(String message) {
        String text = message == null ? "unknown error" : message.strip();
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < text.length() && sb.length() <= MAX_MESSAGE; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.append(' ');
            } else if (Character.isISOControl(c) || invisible(c)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() > MAX_MESSAGE || i < text.length()) {
            sb.setLength(Math.min(sb.length(), MAX_MESSAGE));
            sb.append('…');
        }
        return sb.toString();
    }

    /** Line and paragraph separators, bidi overrides and other format characters. */
    private static boolean invisible(char c) {
        int type = Character.getType(c);
        return type == Character.FORMAT
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
