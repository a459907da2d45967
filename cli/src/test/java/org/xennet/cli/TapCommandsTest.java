package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.xennet.tap.NetnsSandbox;

/**
 * {@code xennet backend/frontend --tap} across two processes and {@code xennet wire}: argument and environment
 * errors exit 2 naming what is wrong; with root, namespaces made here (removed after) carry pings both ways through
 * two xennet processes, a vif TAP removed mid-run closes the backend, and {@code wire} measures and cleans up.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class TapCommandsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitWithUsageErrorOnBadTapArguments()
    {
        assertEquals(2, execute("backend", "--shm", dir.resolve("x").toString(), "--netns", "somens"));
        assertEquals(2, execute("frontend", "--shm", dir.resolve("x").toString(), "--netns", "somens"));
        assertEquals(2, execute("wire", "--runs", "0"));
        assertEquals(2, execute("wire", "--seconds", "100"));
    }

    @Test
    void shouldNameAMissingNamespaceAndExit2()
    {
        final String ns = "xennet-absent-" + System.nanoTime();
        final String err = captureErr(() -> assertEquals(2,
            execute("backend", "--shm", dir.resolve("x").toString(), "--tap", "xnq0", "--netns", ns)));
        assertTrue(err.contains("network namespace " + ns + " not found"), err);
        assertFalse(Files.exists(dir.resolve("x")), "nothing created before the TAP is known to work");
    }

    @Test
    void shouldPingBothWaysThroughABackendAndAFrontendProcessAndCloseWhenTheVifGoes() throws Exception
    {
        requireNetworkSandbox("ping");
        final Path shm = Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm" : dir.toString(),
            "xennet-test-tap-" + UUID.randomUUID());
        final long id = ProcessHandle.current().pid() % 100_000;
        final String vif = "xcv" + id;
        final String eth0 = "xcg" + id;
        final List<Process> processes = new ArrayList<>();
        try (NetnsSandbox sandbox = new NetnsSandbox("xnct"))
        {
            final String guestNs = sandbox.addNamespace("g");
            final String hostNs = sandbox.addNamespace("h");
            final Path backendLog = dir.resolve("backend.log");
            final Process backend = start(backendLog, "backend", "--shm", shm.toString(), "--tap", vif,
                "--netns", hostNs);
            processes.add(backend);
            final Path frontendLog = dir.resolve("frontend.log");
            processes.add(start(frontendLog, "frontend", "--shm", shm.toString(), "--tap", eth0,
                "--netns", guestNs));
            awaitInterface(sandbox, hostNs, vif, backendLog);
            awaitInterface(sandbox, guestNs, eth0, frontendLog);
            sandbox.up(guestNs, eth0, "192.0.2.1/24");
            sandbox.up(hostNs, vif, "192.0.2.2/24");
            // the TAPs exist before the two ends have connected through the file: ping only once frames can flow
            awaitLine(frontendLog, "frontend: Connected; frames flow", backendLog);

            final NetnsSandbox.Result there = sandbox.exec(guestNs, 60_000, "ping", "-c", "3", "-i", "0.2", "-W", "10",
                "192.0.2.2");
            assertTrue(there.ok(), there.output() + read(backendLog) + read(frontendLog));
            final NetnsSandbox.Result back = sandbox.exec(hostNs, 60_000, "ping", "-c", "3", "-i", "0.2", "-W", "10",
                "192.0.2.1");
            assertTrue(back.ok(), back.output() + read(backendLog) + read(frontendLog));

            sandbox.ip(hostNs, "link", "del", vif);
            assertTrue(backend.waitFor(30, TimeUnit.SECONDS), "backend did not close: " + read(backendLog));
            assertEquals(1, backend.exitValue());
            final String out = read(backendLog);
            assertTrue(out.contains("vif TAP " + vif + " is gone: closing the vif") &&
                out.contains("backend: Closed"), out);
        }
        finally
        {
            for (final Process process : processes)
            {
                process.destroy();
                if (!process.waitFor(40, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void shouldMeasureXennetWithWireAndRemoveEverythingItCreated()
    {
        requireNetworkSandbox("ping", "iperf3");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        final int rc;
        try
        {
            rc = execute("wire", "--no-anchors", "--runs", "1", "--seconds", "1", "--pings", "3");
        }
        finally
        {
            System.setOut(original);
        }
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.matches("(?s).*xennet \\(no offload\\)\\s+[0-9.]+\\s+[0-9]+\\s+1.*"), text);
        assertTrue(text.matches("(?s).*xennet \\+ offload\\s+[0-9.]+\\s+[0-9]+\\s+1.*"), text);
        final NetnsSandbox.Result left = NetnsSandbox.run(10_000, "ip", "netns", "list");
        assertFalse(left.output().contains("xnw" + ProcessHandle.current().pid()), left.output());
    }

    private static void awaitLine(final Path log, final String text, final Path otherLog) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!read(log).contains(text))
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("never printed '" + text + "': " + read(log) + read(otherLog));
            }
            Thread.sleep(50);
        }
    }

    private static void awaitInterface(
        final NetnsSandbox sandbox, final String ns, final String name, final Path log) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!sandbox.exec(ns, 10_000, "ip", "link", "show", name).ok())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("TAP " + name + " never appeared: " + read(log));
            }
            Thread.sleep(50);
        }
    }

    private static Process start(final Path log, final String... args) throws java.io.IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            "org.xennet.cli.XennetCommand"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void requireNetworkSandbox(final String... tools)
    {
        final String missing = NetnsSandbox.missing(tools);
        if (null == missing)
        {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            fail("TAP/namespace test cannot run: " + missing + " (CI=true: must run in CI, as root)");
        }
        Assumptions.abort("TAP/namespace test skipped outside CI: " + missing);
    }

    private static String captureErr(final Runnable action)
    {
        final PrintStream original = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            action.run();
        }
        finally
        {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static int execute(final String... args)
    {
        final CommandLine cli = XennetCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    private static String read(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final java.io.IOException ex)
        {
            return "(no log)";
        }
    }
}
