package org.xennet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.xennet.bench.harness.BenchReport;
import org.xennet.bench.harness.BenchResult;
import org.xennet.bench.harness.BenchSuite;
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

    @Option(names = "--svg", paramLabel = "FILE", description = "also draw packets/s against packet size as SVG")
    private Path svg;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final String idle = idleMode.optionName();
        final long totalNanos = totalNanos();
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
        final Map<String, Object> machine = BenchReport.machine();
        final int cases = suite.cases().size();
        out.printf(Locale.ROOT, "xennet bench: %d cases in about %.0f s (warm-up first), batch %d, idle %s%n",
            cases, totalNanos / 1e9, batch, idle);
        out.printf(Locale.ROOT, "machine: %s CPUs, %s, %s, load average %.2f%n", machine.get("cpus"),
            machine.get("cpuModel"), machine.get("java"), (Double)machine.get("loadAverage"));
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
        final double ring = BenchReport.ringOnlyRate(results);
        for (final BenchResult r : results)
        {
            if (!BenchResult.TX_PATH.equals(r.caseName()))
            {
                continue;
            }
            if (r.packetSize() == 64 && !Double.isNaN(ring))
            {
                final double ratio = r.packetsPerSecond() / ring;
                text.append(String.format(Locale.ROOT, "target tx-path 64 B v%d >= 0.30 x ring-only: %.2f %s%n",
                    r.grantVersion(), ratio, ratio >= 0.30 ? "met" : "MISSED"));
            }
            final double copy = BenchReport.copyLimitRate(results, r.packetSize());
            if (r.packetSize() == 1500 && !Double.isNaN(copy))
            {
                final double ratio = r.packetsPerSecond() / copy;
                text.append(String.format(Locale.ROOT, "target tx-path 1500 B v%d >= 0.70 x copy-limit: %.2f %s%n",
                    r.grantVersion(), ratio, ratio >= 0.70 ? "met" : "MISSED"));
            }
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
