package org.xennet.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The C latency anchors ({@code latency.c}, compiled with gcc at run time like {@link CRingAnchor}): the raw
 * cache-line ping-pong and one request through Xen's own {@code io/ring.h}, each round trip timed in C and handed
 * back as value/count pairs, recorded here into an HdrHistogram like the Java probes.
 */
public final class CLatency
{
    /** Source resource. */
    public static final String SOURCE = "latency.c";
    /** Case name of the C cache-line ping-pong. */
    public static final String C_RAW = "c-raw-ping-pong";
    /** Case name of one request through Xen's ring.h. */
    public static final String C_RING = "c-ring.h";

    private final Path executable;

    private CLatency(final Path executable)
    {
        this.executable = executable;
    }

    /**
     * Compiles the anchors.
     *
     * @return the compiled program.
     * @throws IllegalStateException naming what is missing (gcc, libxen-dev) or why gcc failed.
     */
    public static CLatency compile()
    {
        CRingAnchor.requireToolchain();
        try
        {
            final Path dir = Files.createTempDirectory("xennet-latency-");
            final Path source = dir.resolve(SOURCE);
            CRingAnchor.copyResource(SOURCE, source);
            CRingAnchor.copyResource(CRingAnchor.HEADER, dir.resolve(CRingAnchor.HEADER));
            final Path exe = dir.resolve("latency");
            final List<String> cmd = List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-O2", "-pthread",
                "-I" + dir, "-o", exe.toString(), source.toString());
            final String[] result = CRingAnchor.exec(cmd, 120);
            if (!"0".equals(result[0]))
            {
                throw new IllegalStateException("gcc failed: exit=" + result[0] + "\n" + result[1] + result[2]);
            }
            for (final Path p : List.of(exe, source, dir.resolve(CRingAnchor.HEADER), dir))
            {
                p.toFile().deleteOnExit();
            }
            return new CLatency(exe);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot build the C latency anchors: " + ex.getMessage(), ex);
        }
    }

    /**
     * Runs one anchor.
     *
     * @param caseName   {@link #C_RAW} or {@link #C_RING}.
     * @param idle       {@code busy} or {@code backoff}.
     * @param warmupMs   warm-up (not recorded).
     * @param durationMs measured time.
     * @return the round trips.
     */
    public Histogram run(final String caseName, final String idle, final long warmupMs, final long durationMs)
    {
        final String mode = C_RAW.equals(caseName) ? "raw" : "ring";
        try
        {
            final String[] result = CRingAnchor.exec(List.of(executable.toString(), "-m", mode, "-i", idle,
                "-w", Long.toString(warmupMs), "-d", Long.toString(durationMs)), 60 + (warmupMs + durationMs) / 1000);
            if (!"0".equals(result[0]))
            {
                throw new IllegalStateException("C latency anchor failed: exit=" + result[0] + ", " + result[2]);
            }
            return parse(result[1]);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Parses the program's output.
     *
     * @param output {@code HIST value count} lines and a {@code DONE count=n} line.
     * @return the histogram.
     * @throws IllegalStateException when the output is incomplete.
     */
    static Histogram parse(final String output)
    {
        final Histogram histogram = new Histogram(LatencyRunner.HIGHEST_NANOS, 3);
        boolean done = false;
        for (final String line : output.split("\n"))
        {
            if (line.startsWith("HIST "))
            {
                final String[] f = line.split(" ");
                histogram.recordValueWithCount(Math.min(Long.parseLong(f[1]), LatencyRunner.HIGHEST_NANOS),
                    Long.parseLong(f[2]));
            }
            else if (line.startsWith("DONE "))
            {
                done = true;
            }
        }
        if (!done)
        {
            throw new IllegalStateException("C latency output incomplete: " + output.lines().limit(3).toList());
        }
        return histogram;
    }
}
