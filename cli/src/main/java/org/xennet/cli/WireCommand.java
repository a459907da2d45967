package org.xennet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.xennet.core.event.IdleMode;
import org.xennet.tap.NetnsSandbox;
import org.xennet.tap.TapConfig;
import org.xennet.tap.TapException;
import org.xennet.tap.TapPath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xennet wire}: real Linux traffic through xennet. Creates two network namespaces (guest and host), and for
 * each path in turn — a veth pair, a C TAP-to-TAP forwarder (plain, and with {@code IFF_VNET_HDR} +
 * {@code TUNSETOFFLOAD}) built here with gcc, and xennet's in-process {@link TapPath} without and with offload —
 * brings the path up with
 * 192.0.2.1 (guest) and 192.0.2.2 (host), measures idle {@code ping} RTT and an {@code iperf3} TCP run, and tears
 * the path down. Prints medians of {@code --runs} runs and xennet's ratios to the anchors. Everything it created is
 * removed at the end, also on Ctrl-C (shutdown hook). Missing root, {@code CAP_NET_ADMIN}, {@code /dev/net/tun} or a
 * tool: exit 2 naming it.
 */
@Command(
    name = "wire",
    mixinStandardHelpOptions = true,
    description = "Ping and iperf3 through xennet between two namespaces, beside a veth pair and a C TAP forwarder.")
public final class WireCommand implements Callable<Integer>
{
    static final String GUEST_IP = "192.0.2.1";
    static final String HOST_IP = "192.0.2.2";
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern RECEIVER = Pattern.compile("([0-9.]+) Mbits/sec.*receiver");

    /** The paths measured. */
    enum Kind
    {
        VETH("veth pair"),
        C_PLAIN("C TAP forwarder"),
        C_OFFLOAD("C TAP forwarder + offload"),
        XENNET("xennet (no offload)"),
        XENNET_OFFLOAD("xennet + offload");

        final String label;

        Kind(final String label)
        {
            this.label = label;
        }
    }

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
        description = "Runs per path; medians are printed (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
        description = "iperf3 -t per run, 1..60 (default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--pings", paramLabel = "N", defaultValue = "20",
        description = "Pings per run, 50 ms apart (default: ${DEFAULT-VALUE}).")
    private int pings;

    @Option(names = "--idle", paramLabel = "MODE", defaultValue = "backoff", converter = IdleModeConverter.class,
        description = "How xennet's TAP ends wait: " + IdleMode.OPTION_NAMES + " (default: ${DEFAULT-VALUE}).")
    private IdleMode idleMode;

    @Option(names = "--no-anchors", description = "Measure xennet only (no veth, no C forwarder, no gcc needed).")
    private boolean noAnchors;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final Object cleanupLock = new Object();
    private NetnsSandbox sandbox;
    private TapPath path;
    private Path workDir;
    private volatile boolean cleaned;

    /**
     * Runs every path {@code --runs} times and prints the medians.
     *
     * @return 0 when every measurement worked, 1 when one failed, 2 when something needed is missing.
     */
    @Override
    public Integer call()
    {
        if (runs < 1 || runs > 100 || seconds < 1 || seconds > 60 || pings < 2 || pings > 1000)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "need --runs 1..100, --seconds 1..60, --pings 2..1000");
        }
        final String missing = noAnchors ? NetnsSandbox.missing("ping", "iperf3") :
            NetnsSandbox.missing("ping", "iperf3", "gcc");
        if (null != missing)
        {
            System.err.println("xennet wire: " + missing);
            return 2;
        }
        final Thread hook = new Thread(this::cleanup, "wire-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            return measure();
        }
        catch (final TapException ex)
        {
            System.err.println();
            System.err.println("xennet wire: " + ex.getMessage());
            return 1;
        }
        finally
        {
            cleanup();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // already shutting down: the hook runs cleanup (idempotent)
            }
        }
    }

    private int measure()
    {
        final PrintStream out = System.out;
        final List<Kind> kinds = new ArrayList<>();
        if (!noAnchors)
        {
            kinds.add(Kind.VETH);
            kinds.add(Kind.C_PLAIN);
            kinds.add(Kind.C_OFFLOAD);
        }
        kinds.add(Kind.XENNET);
        kinds.add(Kind.XENNET_OFFLOAD);
        final Path forwarder;
        synchronized (cleanupLock)
        {
            sandbox = new NetnsSandbox("xnw");
            workDir = createWorkDir();
        }
        forwarder = noAnchors ? null : buildForwarder(workDir);
        final String guestNs = sandbox.addNamespace("guest");
        final String hostNs = sandbox.addNamespace("host");
        out.printf("wire: namespaces %s (%s) and %s (%s), %d runs, iperf3 -t %d, %d pings, xennet idle %s%n",
            guestNs, GUEST_IP, hostNs, HOST_IP, runs, seconds, pings, idleMode);
        final Map<Kind, List<Double>> gbps = new EnumMap<>(Kind.class);
        final Map<Kind, List<Double>> rttUs = new EnumMap<>(Kind.class);
        int failures = 0;
        final Progress progress = new Progress();
        for (int run = 1; run <= runs; run++)
        {
            for (final Kind kind : kinds)
            {
                final String step = "run " + run + "/" + runs + ", " + kind.label;
                progress.show(step + ": setting up");
                final String[] names = interfaceNames(kind);
                try (AutoCloseable teardown = bringUp(kind, forwarder, guestNs, hostNs, names))
                {
                    sandbox.up(guestNs, names[0], GUEST_IP + "/24");
                    sandbox.up(hostNs, names[1], HOST_IP + "/24");
                    progress.show(step + ": ping");
                    final double rtt = pingMedianUs(guestNs);
                    progress.show(step + ": iperf3 -t " + seconds);
                    final double rate = iperfGbps(guestNs, hostNs);
                    rttUs.computeIfAbsent(kind, k -> new ArrayList<>()).add(rtt);
                    gbps.computeIfAbsent(kind, k -> new ArrayList<>()).add(rate);
                    progress.show(String.format(Locale.ROOT, "%s: %.2f Gbit/s, ping %.0f us", step, rate, rtt));
                }
                catch (final TapException | IllegalStateException ex)
                {
                    failures++;
                    progress.done();
                    System.err.println("wire: " + step + " failed: " + ex.getMessage());
                }
                catch (final Exception ex)
                {
                    failures++;
                    progress.done();
                    System.err.println("wire: " + step + " teardown failed: " + ex);
                }
            }
        }
        progress.done();
        printTable(out, kinds, gbps, rttUs);
        return failures == 0 ? 0 : 1;
    }

    private static String[] interfaceNames(final Kind kind)
    {
        final long id = ProcessHandle.current().pid() % 100_000;
        final String tag = Integer.toString(kind.ordinal());
        return new String[] {"xw" + tag + "g" + id, "xw" + tag + "h" + id};
    }

    /** Brings the path up with names[0] in the guest namespace and names[1] in the host's; returns its teardown. */
    private AutoCloseable bringUp(
        final Kind kind, final Path forwarder, final String guestNs, final String hostNs, final String[] names)
    {
        switch (kind)
        {
            case VETH:
                sandbox.ip(guestNs, "link", "add", names[0], "type", "veth", "peer", "name", names[1], "netns", hostNs);
                return () -> sandbox.exec(guestNs, 10_000, "ip", "link", "del", names[0]);
            case C_PLAIN:
            case C_OFFLOAD:
            {
                final Process process = sandbox.spawn(guestNs, forwarder.toString(), names[0], names[1],
                    kind == Kind.C_OFFLOAD ? "1" : "0", Integer.toString(seconds * 4 + 120));
                awaitInterface(guestNs, names[1], process);
                sandbox.ip(guestNs, "link", "set", names[1], "netns", hostNs);
                return () -> stop(process);
            }
            case XENNET:
            case XENNET_OFFLOAD:
            default:
            {
                final TapPath started = TapPath.start(new TapPath.Context()
                    .guestTap(new TapConfig().name(names[0]).netns(guestNs))
                    .vifTap(new TapConfig().name(names[1]).netns(hostNs))
                    .offload(kind == Kind.XENNET_OFFLOAD)
                    .idleMode(idleMode));
                synchronized (cleanupLock)
                {
                    path = started;
                }
                return () ->
                {
                    synchronized (cleanupLock)
                    {
                        path = null;
                    }
                    started.close();
                };
            }
        }
    }

    private void awaitInterface(final String ns, final String name, final Process process)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            if (sandbox.exec(ns, 5_000, "ip", "link", "show", name).ok())
            {
                return;
            }
            if (!process.isAlive())
            {
                throw new TapException("the C forwarder exited with status " + process.exitValue() +
                    " before creating its TAPs");
            }
            sleep(20);
        }
        throw new TapException("the C forwarder did not create " + name + " within 10 s");
    }

    private static void stop(final Process process) throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private double pingMedianUs(final String guestNs)
    {
        sandbox.exec(guestNs, 10_000, "ping", "-c", "1", "-W", "2", HOST_IP); // ARP and caches warm
        final NetnsSandbox.Result result = sandbox.exec(guestNs, 10_000L + pings * 200L,
            "ping", "-c", Integer.toString(pings), "-i", "0.05", "-W", "2", HOST_IP);
        final List<Double> samples = new ArrayList<>();
        final Matcher m = RTT.matcher(result.output());
        while (m.find())
        {
            samples.add(Double.parseDouble(m.group(1)) * 1000.0);
        }
        if (samples.isEmpty())
        {
            throw new IllegalStateException("no ping replies: " + lastLine(result.output()));
        }
        return median(samples);
    }

    private double iperfGbps(final String guestNs, final String hostNs)
    {
        final Process server = sandbox.spawn(hostNs, "iperf3", "-s", "-1", "-B", HOST_IP);
        try
        {
            NetnsSandbox.Result client = null;
            for (int attempt = 0; attempt < 50; attempt++)
            {
                client = sandbox.exec(guestNs, seconds * 1000L + 20_000L,
                    "iperf3", "-c", HOST_IP, "-t", Integer.toString(seconds), "-f", "m",
                    "--connect-timeout", "5000");
                if (client.ok() || !client.output().contains("Connection refused"))
                {
                    break;
                }
                sleep(100); // the server is not listening yet
            }
            final Matcher m = RECEIVER.matcher(client.output());
            if (!client.ok() || !m.find())
            {
                throw new IllegalStateException("iperf3 failed: " + lastLine(client.output()));
            }
            return Double.parseDouble(m.group(1)) / 1000.0;
        }
        finally
        {
            server.destroy();
        }
    }

    private static void printTable(
        final PrintStream out, final List<Kind> kinds, final Map<Kind, List<Double>> gbps,
        final Map<Kind, List<Double>> rttUs)
    {
        out.println();
        out.printf("%-28s %14s %18s %6s%n", "path", "TCP Gbit/s", "ping RTT (us)", "runs");
        for (final Kind kind : kinds)
        {
            final List<Double> rates = gbps.getOrDefault(kind, List.of());
            final List<Double> rtts = rttUs.getOrDefault(kind, List.of());
            out.printf(Locale.ROOT, "%-28s %14s %18s %6d%n", kind.label, rates.isEmpty() ? "-" :
                String.format(Locale.ROOT, "%.2f", median(rates)), rtts.isEmpty() ? "-" :
                String.format(Locale.ROOT, "%.0f", median(rtts)), rates.size());
        }
        final List<Double> xennet = gbps.getOrDefault(Kind.XENNET, List.of());
        final List<Double> xennetOffload = gbps.getOrDefault(Kind.XENNET_OFFLOAD, List.of());
        final List<Double> plain = gbps.getOrDefault(Kind.C_PLAIN, List.of());
        final List<Double> offload = gbps.getOrDefault(Kind.C_OFFLOAD, List.of());
        if (!xennet.isEmpty() && !plain.isEmpty())
        {
            out.printf(Locale.ROOT, "xennet / C forwarder (no offload): %.2fx TCP (goal >= 0.5x)%n",
                median(xennet) / median(plain));
        }
        if (!xennetOffload.isEmpty() && !offload.isEmpty())
        {
            out.printf(Locale.ROOT, "xennet + offload / C forwarder + offload: %.2fx TCP (goal >= 0.8x)%n",
                median(xennetOffload) / median(offload));
        }
        final List<Double> xRtt = rttUs.getOrDefault(Kind.XENNET, List.of());
        final List<Double> cRtt = rttUs.getOrDefault(Kind.C_PLAIN, List.of());
        if (!xRtt.isEmpty() && !cRtt.isEmpty())
        {
            out.printf(Locale.ROOT, "xennet ping RTT - C forwarder: %+.0f us (goal <= +50 us)%n",
                median(xRtt) - median(cRtt));
        }
    }

    static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static String lastLine(final String output)
    {
        final String trimmed = output.trim();
        final int nl = trimmed.lastIndexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(nl + 1);
    }

    private static Path createWorkDir()
    {
        try
        {
            return Files.createTempDirectory("xennet-wire");
        }
        catch (final IOException ex)
        {
            throw new TapException("cannot create a work directory: " + ex.getMessage(), ex);
        }
    }

    /** Compiles the C forwarder (a resource of this jar) with gcc into the work directory. */
    private static Path buildForwarder(final Path dir)
    {
        final Path source = dir.resolve("tapfwd.c");
        final Path binary = dir.resolve("tapfwd");
        try (InputStream in = WireCommand.class.getResourceAsStream("wire/tapfwd.c"))
        {
            if (null == in)
            {
                throw new TapException("tapfwd.c is missing from the jar");
            }
            Files.copy(in, source);
        }
        catch (final IOException ex)
        {
            throw new TapException("cannot write " + source + ": " + ex.getMessage(), ex);
        }
        final NetnsSandbox.Result built =
            NetnsSandbox.run(60_000, "gcc", "-O2", "-o", binary.toString(), source.toString());
        if (!built.ok())
        {
            throw new TapException("gcc failed to build the C forwarder: " + lastLine(built.output()));
        }
        return binary;
    }

    /** Idempotent: closes xennet's path, kills spawned processes, deletes the namespaces and the work directory. */
    private void cleanup()
    {
        synchronized (cleanupLock)
        {
            if (cleaned)
            {
                return;
            }
            cleaned = true;
            if (null != path)
            {
                path.close();
                path = null;
            }
            if (null != sandbox)
            {
                sandbox.close();
            }
            if (null != workDir)
            {
                try (var files = Files.walk(workDir))
                {
                    files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                catch (final IOException ex)
                {
                    System.err.println("wire: could not remove " + workDir + ": " + ex.getMessage());
                }
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** One progress line, rewritten in place on a terminal. */
    private static final class Progress
    {
        private final boolean terminal = System.console() != null;
        private boolean open;

        void show(final String text)
        {
            if (terminal)
            {
                System.err.print("\r\033[K" + text);
                open = true;
            }
            else
            {
                System.err.println("wire: " + text);
            }
            System.err.flush();
        }

        void done()
        {
            if (open)
            {
                System.err.println();
                open = false;
            }
        }
    }
}
