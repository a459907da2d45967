package org.xennet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.xennet.xenstore.XenStoreException;
import picocli.CommandLine;

/**
 * How the CLI reports bad input: one line naming what was wrong, exit 2, no stack trace. Bad arguments
 * (picocli's parameter errors) and the failures that come from what the user named (files and directories that
 * cannot be used, a xenstored that cannot be reached, a refused setting) are bad input; anything else is a bug
 * and keeps picocli's default report.
 */
final class CliErrors
{
    private CliErrors()
    {
    }

    /** Installs both handlers on {@code cli} and every subcommand. */
    static CommandLine install(final CommandLine cli)
    {
        cli.setParameterExceptionHandler(CliErrors::onParameterError);
        cli.setExecutionExceptionHandler(CliErrors::onExecutionError);
        return cli;
    }

    private static int onParameterError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine failed = ex.getCommandLine();
        final PrintWriter err = failed.getErr();
        err.println(oneLine(ex.getMessage()) + " (Usage: " + failed.getCommandSpec().qualifiedName() + " --help)");
        err.flush();
        return XennetCommand.EXIT_USAGE;
    }

    private static int onExecutionError(final Exception ex, final CommandLine failed,
        final CommandLine.ParseResult parseResult) throws Exception
    {
        final String reason = describe(ex);
        if (reason == null)
        {
            throw ex; // not bad input: a bug, keep the full report
        }
        final PrintWriter err = failed.getErr();
        err.println(failed.getCommandSpec().qualifiedName() + ": " + oneLine(reason));
        err.flush();
        return XennetCommand.EXIT_USAGE;
    }

    /** @return the one-line reason when {@code ex} comes from bad input, else {@code null}. */
    static String describe(final Throwable ex)
    {
        if (ex instanceof UncheckedIOException || ex instanceof XenStoreException)
        {
            return ex.getMessage() + (ex.getCause() == null ? "" : ": " + describeCause(ex.getCause()));
        }
        if (ex instanceof IOException)
        {
            return describeCause(ex);
        }
        if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException)
        {
            return ex.getMessage();
        }
        return null;
    }

    private static String describeCause(final Throwable cause)
    {
        if (cause instanceof FileSystemException fs)
        {
            final String what = fs.getReason() != null ? fs.getReason() :
                fs instanceof AccessDeniedException ? "permission denied" :
                fs instanceof NoSuchFileException ? "no such file or directory" :
                fs instanceof NotDirectoryException ? "not a directory" : fs.getClass().getSimpleName();
            return fs.getFile() + ": " + what;
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static String oneLine(final String text)
    {
        return text == null ? "failed" : text.replace('\n', ' ').replace("\r", "").strip();
    }
}
