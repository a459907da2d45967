package org.xennet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.DirectBuffer;
import org.xennet.bench.harness.BenchReport;
import org.xennet.bench.harness.BenchResult;
import org.xennet.bench.harness.BenchSuite;
import org.xennet.bench.harness.BenchTargets;
import org.xennet.bench.harness.LatencyReport;
import org.xennet.bench.harness.LatencyResult;
import org.xennet.bench.harness.LatencySuite;
import org.xennet.core.event.IdleMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xennet bench}: measures the ring alone, its peers (the C anchor from Xen's ring.h, Agrona's one-to-one
 * ring buffer), the single-thread copy limit and the full tx and rx packet paths for a few packet sizes, with a
 * live progress line on stderr; prints a table and optionally writes JSON and an SVG chart.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
        "Measure packet throughput: the xennet ring alone (ring-only), the C anchor built from Xen's io/ring.h",
        "(c-ring.h, needs gcc and libxen-dev), Agrona's one-to-one ring buffer, the single-thread copy limit,",
        "and the full netfront <-> netback tx and rx paths for each packet size and grant version.",
        "Each case runs on two threads (one for copy-limit) after a warm-up; the table gives packets/s,",
        "Gbit/s (packets/s x bytes x 8), ratios to ring-only and to the copy limit, and bytes allocated per packet."})
public final class BenchCommand implements Callable<Integer>
{
    /** Default total run time. */
    public static final String DEFAULT_DURATION = "60s";

    /** Total run time of {@code --quick}. */
    public static final long QUICK_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    @Option(names = "--duration", paramLabel = "TIME",
        description = "total time for all cases, e.g. 60s, 2m, 1500ms (default " + DEFAULT_DURATION + ")")
    private String duration;

    @Option(names = "--quick", description = "a first look in about 10 s")
    private boolean quick;

    @Option(names = "--sizes", paramLabel = "BYTES", split = ",",
        description = "packet sizes (default 64,512,1500,9000)")
    private List<Integer> sizes = BenchSuite.DEFAULT_SIZES;

    @Option(names = "--grant-versions", paramLabel = "V", split = ",",
        description = "grant table versions of the packet paths (default 1,2)")
    private List<Integer> grantVersions = BenchSuite.DEFAULT_GRANT_VERSIONS;

    @Option(names = "--batch", paramLabel = "N",
        description = "requests per round trip / packets per step, 1..256 (default ${DEFAULT-VALUE})")
    private int batch = BenchSuite.DEFAULT_BATCH;

    @Option(names = "--idle", paramLabel = "MODE", converter = IdleModeConverter.class,
        description = "how to wait: " + IdleMode.OPTION_NAMES + " (backoff: spin, yield, park; default backoff)")
    private IdleMode idleMode = IdleMode.BACKOFF;

    @Option(names = "--no-c", description = "skip the C anchor (c-ring.h)")
    private boolean noC;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    private Path json;

    @Option(names = "--svg", paramLabel = "FILE",
        description = "also draw packets/s against packet size (with --latency: round trip by percentile) as SVG")
    private Path svg;

    @Option(names = "--latency", description = {
        "measure latency instead: one request in flight, each round trip in an HdrHistogram (p50 .. max) for the",
        "raw cache-line ping-pong, the xennet ring, the tx and rx paths (sizes default 64,1500), busy-poll and",
        "backoff (unless --idle is given)"})
    private boolean latency;

    @Option(names = "--hlog", paramLabel = "FILE", description = "with --latency: also write an HdrHistogram log")
    private Path hlog;

    @Option(names = "--bounds-checks",
        description = "keep Agrona's bounds checks on (by default the bench runs in a child JVM without them, as JMH)")
    private boolean boundsChecks;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final String idle = idleMode.optionName();
        final long totalNanos = totalNanos();
        if (latency)
        {
            return latency(totalNanos);
        }
        final BenchSuite suite;
        try
        {
            suite = new BenchSuite(sizes, grantVersions, batch, totalNanos, !noC, idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (DirectBuffer.SHOULD_BOUNDS_CHECK && !boundsChecks)
        {
            // the property is read once, when Agrona loads: only a fresh JVM can run without the checks
            return runInChildJvm(out, err);
        }
        final Map<String, Object> machine = BenchReport.machine();
        final int cases = suite.cases().size();
        out.printf(Locale.ROOT, "xennet bench: %d cases in about %.0f s (warm-up first), batch %d, idle %s%n",
            cases, totalNanos / 1e9, batch, idle);
        out.printf(Locale.ROOT, "machine: %s CPUs, %s, %s, load average %.2f%n", machine.get("cpus"),
            machine.get("cpuModel"), machine.get("java"), (Double)machine.get("loadAverage"));
        out.println(DirectBuffer.SHOULD_BOUNDS_CHECK ?
            "bounds checks: ON (--bounds-checks): slower than JMH, which turns them off" :
            "bounds checks: off (-D" + DirectBuffer.DISABLE_BOUNDS_CHECKS_PROP_NAME + "=true, as in JMH)");
        out.flush();
        final ProgressLine progress = new ProgressLine(err);
        final List<BenchResult> results;
        try
        {
            results = suite.run(progress);
        }
        finally
        {
            progress.clear();
        }
        out.println();
        out.print(BenchReport.table(results));
        out.println();
        out.println("targets (from " + BenchTargets.RESOURCE + " in the bench module; ratios within this run):");
        out.print(targets(results));
        out.println("packets/s: ring cases count round trips (request + response); paths count packets completed.");
        if (json != null)
        {
            final Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("durationSeconds", totalNanos / 1e9);
            settings.put("batch", batch);
            settings.put("idle", idle);
            BenchReport.write(json, BenchReport.json(machine, settings, results));
            out.println("JSON written to " + json);
        }
        if (svg != null)
        {
            BenchReport.write(svg, BenchReport.svg(results, String.format(Locale.ROOT,
                "xennet bench: packets/s vs packet size (batch %d, %s CPUs)", batch, machine.get("cpus"))));
            out.println("SVG written to " + svg);
        }
        out.flush();
        return 0;
    }

    private int latency(final long totalNanos) throws IOException
    {
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        final LatencySuite suite;
        try
        {
            suite = new LatencySuite(parsed.hasMatchedOption("--sizes") ? sizes : LatencySuite.DEFAULT_SIZES,
                grantVersions,
                parsed.hasMatchedOption("--idle") ? List.of(idleMode.optionName()) : LatencySuite.DEFAULT_IDLES,
                totalNanos, !noC);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (DirectBuffer.SHOULD_BOUNDS_CHECK && !boundsChecks)
        {
            return runInChildJvm(out, err);
        }
        final Map<String, Object> machine = BenchReport.machine();
        out.printf(Locale.ROOT, "xennet bench --latency: %d cases in about %.0f s, one request in flight%n",
            suite.size(), totalNanos / 1e9);
        out.printf(Locale.ROOT, "machine: %s CPUs, %s, %s, load average %.2f%n", machine.get("cpus"),
            machine.get("cpuModel"), machine.get("java"), (Double)machine.get("loadAverage"));
        out.println(DirectBuffer.SHOULD_BOUNDS_CHECK ? "bounds checks: ON (--bounds-checks)" :
            "bounds checks: off (-D" + DirectBuffer.DISABLE_BOUNDS_CHECKS_PROP_NAME + "=true, as in JMH)");
        out.flush();
        final List<LatencyResult> results = suite.run(new LatencySuite.Listener()
        {
            @Override
            public void starting(final int index, final int count, final String label)
            {
                err.printf(Locale.ROOT, "\r[%2d/%d] %-32s", index, count, label);
                err.flush();
            }

            @Override
            public void note(final String text)
            {
                err.println();
                err.println(text);
                err.flush();
            }
        });
        err.print("\r" + " ".repeat(44) + "\r");
        err.flush();
        out.println();
        out.print(LatencyReport.table(results));
        out.println("round trip: send -> peer answers -> response seen; raw-ping-pong is one cache line each way.");
        if (hlog != null)
        {
            BenchReport.write(hlog, LatencyReport.histogramLog(results));
            out.println("HdrHistogram log written to " + hlog);
        }
        if (svg != null)
        {
            BenchReport.write(svg, LatencyReport.svg(results, String.format(Locale.ROOT,
                "xennet bench --latency: round trip by percentile (%s CPUs; dashed: backoff)", machine.get("cpus"))));
            out.println("SVG written to " + svg);
        }
        out.flush();
        return 0;
    }

    /** Runs the same command in a child JVM started with bounds checks off; its output is relayed as it comes. */
    private int runInChildJvm(final PrintWriter out, final PrintWriter err) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-D" + DirectBuffer.DISABLE_BOUNDS_CHECKS_PROP_NAME + "=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(XennetCommand.class.getName());
        command.addAll(spec.root().commandLine().getParseResult().originalArgs());
        final Process child = new ProcessBuilder(command).start();
        final Thread errors = new Thread(() -> relay(child.getErrorStream(), err), "xennet-bench-stderr");
        errors.setDaemon(true);
        errors.start();
        relay(child.getInputStream(), out);
        try
        {
            final int exit = child.waitFor();
            errors.join();
            return exit;
        }
        catch (final InterruptedException ex)
        {
            child.destroy();
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void relay(final InputStream from, final PrintWriter to)
    {
        try (Reader reader = new InputStreamReader(from, StandardCharsets.UTF_8))
        {
            final char[] chunk = new char[4096];
            int n;
            while ((n = reader.read(chunk)) > 0)
            {
                to.write(chunk, 0, n); // progress updates end in \r, not \n: relay characters as they come
                to.flush();
            }
        }
        catch (final IOException ex)
        {
            to.println("xennet bench: lost the child JVM's output: " + ex.getMessage());
            to.flush();
        }
    }

    private long totalNanos()
    {
        if (quick && duration != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--quick and --duration exclude each other");
        }
        if (quick)
        {
            return QUICK_NANOS;
        }
        final String text = duration == null ? DEFAULT_DURATION : duration;
        final Matcher m = DURATION.matcher(text.trim());
        if (!m.matches())
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--duration must look like 60s, 2m or 1500ms: duration=" + text);
        }
        final double value = Double.parseDouble(m.group(1));
        final String unit = m.group(2) == null ? "s" : m.group(2);
        final double nanos = value * ("ms".equals(unit) ? 1e6 : "m".equals(unit) ? 60e9 : 1e9);
        if (nanos < 100e6 || nanos > 24 * 3600e9)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--duration must be between 100ms and 24h: duration=" + text);
        }
        return (long)nanos;
    }

    private static String targets(final List<BenchResult> results)
    {
        final StringBuilder text = new StringBuilder();
        for (final String line : BenchTargets.judge(results))
        {
            text.append(line).append(System.lineSeparator());
        }
        return text.toString();
    }

    /** The live progress line: carriage-return updates on stderr, at most every 100 ms. */
    private static final class ProgressLine implements BenchSuite.Listener
    {
        private final PrintWriter err;
        private int lastLength;

        ProgressLine(final PrintWriter err)
        {
            this.err = err;
        }

        @Override
        public void progress(
            final int index, final int count, final String label, final double fraction, final double rate)
        {
            final String line = String.format(Locale.ROOT, "[%2d/%d] %-22s %3.0f%%  %,14.0f /s",
                index, count, label, fraction * 100, rate);
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            err.flush();
            lastLength = line.length();
        }

        @Override
        public void note(final String text)
        {
            clear();
            err.println(text);
            err.flush();
        }

        void clear()
        {
            if (lastLength > 0)
            {
                err.print("\r" + " ".repeat(lastLength) + "\r");
                err.flush();
                lastLength = 0;
            }
        }
    }
}
