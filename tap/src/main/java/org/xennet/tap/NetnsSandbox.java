package org.xennet.tap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces that one test or one {@code xennet wire} run creates, and removes again in reverse order on
 * {@link #close()} (also from a shutdown hook). Every command it runs is bounded in time and runs inside a namespace
 * it created; addresses are checked to lie in 192.0.2.0/24 (TEST-NET-1, documentation only, never routed), so no
 * traffic can leave the sandbox.
 */
public final class NetnsSandbox implements AutoCloseable
{
    /** The only prefix traffic may use. */
    public static final String TEST_NET_PREFIX = "192.0.2.";

    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final String prefix;
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    /** A finished command: exit status and what it printed. */
    public record Result(int exitCode, String output)
    {
        /** @return whether the command exited 0. */
        public boolean ok()
        {
            return exitCode == 0;
        }
    }

    /**
     * @param prefix short prefix of every namespace name (e.g. {@code "xnt"}); the pid is appended.
     */
    public NetnsSandbox(final String prefix)
    {
        this.prefix = prefix + ProcessHandle.current().pid();
    }

    /**
     * What this machine lacks to run namespaces and TAPs, or {@code null} when nothing is missing.
     *
     * @param tools commands that must be on the PATH besides {@code ip} (e.g. {@code ping}, {@code iperf3}).
     * @return a one-line description of everything missing, or {@code null}.
     */
    public static String missing(final String... tools)
    {
        final List<String> missing = new ArrayList<>();
        if (!hasNetAdmin())
        {
            missing.add("root / CAP_NET_ADMIN (euid " + LibC.geteuid() + ")");
        }
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            missing.add("/dev/net/tun (modprobe tun)");
        }
        final List<String> all = new ArrayList<>();
        all.add("ip");
        all.addAll(Arrays.asList(tools));
        for (final String tool : all)
        {
            if (!onPath(tool))
            {
                missing.add(tool + " (apt-get install " + packageOf(tool) + ")");
            }
        }
        return missing.isEmpty() ? null : "missing: " + String.join(", ", missing);
    }

    private static String packageOf(final String tool)
    {
        switch (tool)
        {
            case "ip":
                return "iproute2";
            case "ping":
                return "iputils-ping";
            default:
                return tool;
        }
    }

    /** CAP_NET_ADMIN (bit 12) in the effective set, which root has. */
    private static boolean hasNetAdmin()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("CapEff:"))
                {
                    final long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << 12)) != 0;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return LibC.geteuid() == 0;
        }
        return false;
    }

    /**
     * Whether a command is on the PATH.
     *
     * @param tool command name.
     * @return true when an executable of that name is on the PATH.
     */
    public static boolean onPath(final String tool)
    {
        final String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (final String dir : (path + ":/usr/sbin:/sbin").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Creates a namespace (loopback up) that {@link #close()} deletes.
     *
     * @param role short role name, e.g. {@code "g"} or {@code "h"}.
     * @return the namespace's name.
     */
    public String addNamespace(final String role)
    {
        final String name = prefix + "-" + role;
        final Result added = run(DEFAULT_TIMEOUT_MS, "ip", "netns", "add", name);
        if (!added.ok())
        {
            throw new TapException("cannot create network namespace " + name + ": " + added.output().trim());
        }
        namespaces.add(name);
        undo.push(() -> run(DEFAULT_TIMEOUT_MS, "ip", "netns", "del", name));
        ip(name, "link", "set", "lo", "up");
        return name;
    }

    /**
     * Runs {@code ip -n ns args...} and fails loudly when it does not exit 0.
     *
     * @param ns   a namespace of this sandbox.
     * @param args the ip arguments.
     */
    public void ip(final String ns, final String... args)
    {
        requireOwn(ns);
        final List<String> command = new ArrayList<>(List.of("ip", "-n", ns));
        command.addAll(Arrays.asList(args));
        final Result result = run(DEFAULT_TIMEOUT_MS, command.toArray(new String[0]));
        if (!result.ok())
        {
            throw new TapException(String.join(" ", command) + " failed: " + result.output().trim());
        }
    }

    /**
     * Gives an interface of a namespace an address of 192.0.2.0/24 and brings it up.
     *
     * @param ns      a namespace of this sandbox.
     * @param dev     the interface.
     * @param address e.g. {@code "192.0.2.1/24"}.
     */
    public void up(final String ns, final String dev, final String address)
    {
        requireTestNet(address);
        ip(ns, "addr", "add", address, "dev", dev);
        ip(ns, "link", "set", dev, "up");
    }

    /**
     * Runs a command inside a namespace of this sandbox, bounded in time (killed at the deadline).
     *
     * @param ns        the namespace.
     * @param timeoutMs deadline.
     * @param command   the command.
     * @return its exit code and output (exit code -1 when it was killed at the deadline).
     */
    public Result exec(final String ns, final long timeoutMs, final String... command)
    {
        requireOwn(ns);
        return run(timeoutMs, this::track, nsCommand(ns, command));
    }

    /**
     * Starts a command inside a namespace in the background; {@link #close()} kills it if still running.
     *
     * @param ns      the namespace.
     * @param command the command.
     * @return the process (output discarded unless redirected by the command).
     */
    public Process spawn(final String ns, final String... command)
    {
        requireOwn(ns);
        try
        {
            final Process process = new ProcessBuilder(nsCommand(ns, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            processes.add(process);
            return process;
        }
        catch (final IOException ex)
        {
            throw new TapException("cannot start " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
    }

    private static String[] nsCommand(final String ns, final String... command)
    {
        for (final String arg : command)
        {
            if (arg.matches("\\d+\\.\\d+\\.\\d+\\.\\d+(/\\d+)?"))
            {
                requireTestNet(arg); // every address the sandbox sends to is TEST-NET-1
            }
        }
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(Arrays.asList(command));
        return full.toArray(new String[0]);
    }

    private void requireOwn(final String ns)
    {
        if (!namespaces.contains(ns))
        {
            throw new IllegalArgumentException("not a namespace of this sandbox: " + ns);
        }
    }

    private static void requireTestNet(final String address)
    {
        if (!address.startsWith(TEST_NET_PREFIX))
        {
            throw new IllegalArgumentException("address outside 192.0.2.0/24 refused: " + address);
        }
    }

    /**
     * Runs a command on this host, bounded in time.
     *
     * @param timeoutMs deadline.
     * @param command   the command.
     * @return exit code (-1 when killed at the deadline) and output.
     */
    public static Result run(final long timeoutMs, final String... command)
    {
        return run(timeoutMs, process -> () -> { }, command);
    }

    /** Registers a running process so {@link #close()} kills it; the returned action unregisters it. */
    private synchronized Runnable track(final Process process)
    {
        processes.add(process);
        return () ->
        {
            synchronized (this)
            {
                processes.remove(process);
            }
        };
    }

    private static Result run(
        final long timeoutMs, final java.util.function.Function<Process, Runnable> tracker, final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final Runnable untrack = tracker.apply(process);
            try
            {
                return await(process, timeoutMs);
            }
            finally
            {
                untrack.run();
            }
        }
        catch (final IOException ex)
        {
            return new Result(127, "cannot run " + command[0] + ": " + ex.getMessage());
        }
    }

    private static Result await(final Process process, final long timeoutMs) throws IOException
    {
        try
        {
            process.getOutputStream().close();
            final StringBuilder output = new StringBuilder();
            final Thread reader = new Thread(() -> drain(process.getInputStream(), output), "sandbox-output");
            reader.setDaemon(true);
            reader.start();
            final boolean finished = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            if (!finished)
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2_000);
            synchronized (output)
            {
                return new Result(finished ? process.exitValue() : -1, output.toString());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static void drain(final InputStream in, final StringBuilder output)
    {
        try (in)
        {
            final byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0)
            {
                synchronized (output)
                {
                    output.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                }
            }
        }
        catch (final IOException ex)
        {
            // the process went away: what was read is kept
        }
    }

    /** @return the namespaces created so far. */
    public List<String> namespaces()
    {
        return List.copyOf(namespaces);
    }

    /**
     * Kills what it spawned, then deletes every namespace it created (reverse order). Safe to call twice.
     */
    @Override
    public synchronized void close()
    {
        for (final Process process : processes)
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        processes.clear();
        while (!undo.isEmpty())
        {
            undo.pop().run();
        }
        namespaces.clear();
    }
}
