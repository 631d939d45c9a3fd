package dev.tinygpt.cli;

import java.io.PrintWriter;
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
            TrainCommand.class,
            ConvertCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(
                (e, a) -> {
                    PrintWriter err = e.getCommandLine().getErr();
                    err.println(
                            "tinygpt: "
                                    + e.getMessage()
                                    + " (see '"
                                    + e.getCommandLine().getCommandSpec().qualifiedName()
                                    + " --help')");
                    err.flush();
                    return 2;
                });
        cli.setExecutionExceptionHandler(
                (e, c, p) -> {
                    PrintWriter err = c.getErr();
                    if (e instanceof IllegalArgumentException) {
                        err.println("tinygpt: " + e.getMessage());
                        err.flush();
                        return 2;
                    }
                    err.println("tinygpt: failed: " + e);
                    e.printStackTrace(err);
                    err.flush();
                    return 1;
                });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
