package org.xennet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code xennet} command line: entry point of {@code core/target/xennet.jar}.
 */
@Command(
    name = "xennet",
    mixinStandardHelpOptions = true,
    version = "xennet 0.1.0",
    description = "Xen paravirtual network path in off-heap memory.",
    subcommands = {CommandLine.HelpCommand.class, LayoutCommand.class, XenstoredCommand.class, DemoCommand.class,
        HandshakeCommand.class, BackendCommand.class, FrontendCommand.class, BenchCommand.class, WireCommand.class})
public final class XennetCommand implements Runnable
{
    /** Exit code for bad arguments (picocli's usage-error code). */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /**
     * Builds the command line with xennet's exit-code conventions (bad arguments exit 2).
     *
     * @return a configured picocli command line.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new XennetCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Runs the CLI.
     *
     * @param args command-line arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }
}
