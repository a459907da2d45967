package org.xennet.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A C program built with gcc against Debian's {@code libxen-dev} headers, for ABI probes and differential peers.
 *
 * <p>Never skips: a missing gcc or missing Xen headers fail with a message that says what to install.
 */
public final class CProgram
{
    /** Name of the prelude header every C source may include. */
    public static final String PRELUDE = "xen_prelude.h";

    private static final String INSTALL_HINT =
        "install them with: apt-get install -y gcc libc6-dev libxen-dev (or run ./scripts/test.sh, which does)";

    private final Path executable;

    private CProgram(final Path executable)
    {
        this.executable = executable;
    }

    /**
     * Compiles C sources taken from the classpath (test resources) into an executable.
     *
     * @param anchor      class whose class loader holds the resources.
     * @param resources   resource paths of the {@code .c} sources (and any headers they include), absolute
     *                    ({@code /org/...}) or relative to {@code anchor}'s package.
     * @param extraFlags  extra gcc flags (for example {@code -O2}, {@code -pthread}).
     * @return the compiled program.
     */
    public static CProgram compileResources(
        final Class<?> anchor, final List<String> resources, final String... extraFlags)
    {
        try
        {
            final Path dir = Files.createTempDirectory("xennet-c-");
            dir.toFile().deleteOnExit();
            copyResource(CProgram.class, PRELUDE, dir.resolve(PRELUDE));
            final List<Path> sources = new ArrayList<>();
            for (final String resource : resources)
            {
                final Path target = dir.resolve(Path.of(resource).getFileName().toString());
                copyResource(anchor, resource, target);
                if (target.toString().endsWith(".c"))
                {
                    sources.add(target);
                }
            }
            return compile(dir, sources, extraFlags);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot prepare C sources: " + ex.getMessage(), ex);
        }
    }

    /**
     * Compiles C sources from files.
     *
     * @param workDir    directory for the executable (also on the include path, with the prelude copied in).
     * @param sources    the {@code .c} files.
     * @param extraFlags extra gcc flags.
     * @return the compiled program.
     */
    public static CProgram compile(final Path workDir, final List<Path> sources, final String... extraFlags)
    {
        requireToolchain();
        try
        {
            final Path prelude = workDir.resolve(PRELUDE);
            if (!Files.exists(prelude))
            {
                copyResource(CProgram.class, PRELUDE, prelude);
            }
            final Path exe = workDir.resolve("a.out." + System.nanoTime());
            final List<String> cmd = new ArrayList<>(List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-O1",
                "-I" + workDir, "-include", prelude.toString(), "-o", exe.toString()));
            cmd.addAll(List.of(extraFlags));
            for (final Path source : sources)
            {
                cmd.add(source.toString());
            }
            final Result result = exec(cmd, 120);
            if (result.exitCode != 0)
            {
                throw new IllegalStateException("gcc failed (exit " + result.exitCode + "): " + String.join(" ", cmd) +
                    "\n" + result.stdout + result.stderr);
            }
            return new CProgram(exe);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot compile C sources: " + ex.getMessage(), ex);
        }
    }

    /**
     * Fails with an install hint unless gcc and the Xen public headers are present.
     */
    public static void requireToolchain()
    {
        final Result gcc;
        try
        {
            gcc = exec(List.of("gcc", "--version"), 30);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("gcc not found; " + INSTALL_HINT, ex);
        }
        if (gcc.exitCode != 0)
        {
            throw new IllegalStateException("gcc does not run; " + INSTALL_HINT);
        }
        for (final String header : List.of("xen/io/ring.h", "xen/io/netif.h", "xen/grant_table.h", "xen/io/xs_wire.h"))
        {
            if (!Files.exists(Path.of("/usr/include", header)))
            {
                throw new IllegalStateException(
                    "Xen public header /usr/include/" + header + " missing; " + INSTALL_HINT);
            }
        }
    }

    /** @return the path of the executable. */
    public Path executable()
    {
        return executable;
    }

    /**
     * Runs the program to completion.
     *
     * @param stdin          bytes for its standard input (may be empty).
     * @param timeoutSeconds kill it after this long.
     * @param args           its arguments.
     * @return exit code and output.
     */
    public Result run(final byte[] stdin, final long timeoutSeconds, final String... args)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        cmd.addAll(List.of(args));
        try
        {
            return exec(cmd, stdin, timeoutSeconds);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + executable + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Runs the program and returns its standard output, failing on a non-zero exit.
     *
     * @param args its arguments.
     * @return standard output.
     */
    public String runForOutput(final String... args)
    {
        final Result result = run(new byte[0], 300, args);
        if (result.exitCode != 0)
        {
            throw new IllegalStateException(executable + " exited " + result.exitCode + ": " + result.stderr);
        }
        return result.stdout;
    }

    private static Result exec(final List<String> cmd, final long timeoutSeconds) throws IOException
    {
        return exec(cmd, new byte[0], timeoutSeconds);
    }

    private static Result exec(final List<String> cmd, final byte[] stdin, final long timeoutSeconds) throws IOException
    {
        final Path out = Files.createTempFile("xennet-out-", ".txt");
        final Path err = Files.createTempFile("xennet-err-", ".txt");
        try
        {
            final Process process = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            try (var in = process.getOutputStream())
            {
                in.write(stdin);
            }
            catch (final IOException ignore)
            {
                // the program may exit without reading its input; its exit code tells the story
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            return new Result(process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), ex);
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void copyResource(final Class<?> anchor, final String resource, final Path target) throws IOException
    {
        try (InputStream in = anchor.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IOException("resource not found: " + resource + " (relative to " + anchor.getName() + ")");
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Exit code and captured output of a run.
     *
     * @param exitCode process exit code.
     * @param stdout   standard output.
     * @param stderr   standard error.
     */
    public record Result(int exitCode, String stdout, String stderr)
    {
    }
}
