package org.xennet.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs one benchmark class from its own {@code main}, accepting the usual JMH command-line options
 * ({@code -f 1 -wi 3 -p batch=64 -prof gc ...}).
 */
public final class BenchmarkRunner
{
    private BenchmarkRunner()
    {
    }

    /**
     * Runs every benchmark method of a class.
     *
     * @param benchmarkClass the JMH benchmark class.
     * @param args           JMH command-line options.
     * @throws RunnerException          when a benchmark fails to run.
     * @throws CommandLineOptionException when the options do not parse.
     */
    public static void run(final Class<?> benchmarkClass, final String... args)
        throws RunnerException, CommandLineOptionException
    {
        final CommandLineOptions commandLine = new CommandLineOptions(args);
        new Runner(new OptionsBuilder()
            .parent(commandLine)
            .include("^" + benchmarkClass.getName().replace(".", "\\.") + "\\.")
            .shouldFailOnError(true)
            .build())
            .run();
    }
}
