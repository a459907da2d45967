package org.xennet.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code xennet backend --shm FILE --xenstore SOCKET} in its own JVM and {@code xennet frontend --shm FILE} in this
 * one, with a xenstored (this JVM's {@link XenStoreServer}) as the third party: the backend creates the file and
 * records the socket in its header, the frontend finds it there and runs the xenbus handshake.
 */
final class ShmXenbusCommandsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAnUnknownBehaviour()
    {
        final CommandLine cli = XennetCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("backend", "--shm", dir.resolve("x").toString(), "--behaviour", "bogus"));
    }

    @Test
    void shouldStreamThroughXenbusWithTheSocketFoundInTheFileHeader() throws Exception
    {
        final Path shm = Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm" : dir.toString(),
            "xennet-test-xb-" + UUID.randomUUID());
        final Path socket = dir.resolve("xs.sock");
        final Path log = dir.resolve("backend.log");
        Process backend = null;
        try (InMemoryXenStore store = new InMemoryXenStore();
            XenStoreServer server = XenStoreServer.start(socket, store))
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            backend = new ProcessBuilder(List.of(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "org.xennet.cli.XennetCommand", "backend", "--shm", shm.toString(), "--xenstore", socket.toString(),
                "--behaviour", "legacy"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(shm) && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(20);
            }
            try (ShmDeviceFile file = ShmDeviceFile.attach(shm))
            {
                assertEquals(socket.toAbsolutePath().toString(), file.xenstorePath(), () -> read(log));
            }
            final String out = runFrontend("frontend", "--shm", shm.toString(), "--count", "20000", "--expect-echo");
            assertTrue(out.contains("frontend: control plane: xenstore " + socket.toAbsolutePath()), out);
            assertTrue(out.contains("/local/domain/1/device/vif/0 Initialising(1) -> Connected(4)"), out);
            assertTrue(out.contains("frontend: Connected through xenbus"), out);
            assertTrue(out.contains("sent=20000, ok=20000") && out.contains("echoed=20000"), out);
            assertTrue(out.contains("exit 0"), out);

            backend.destroy(); // SIGTERM
            assertTrue(backend.waitFor(20, TimeUnit.SECONDS));
            final String text = read(log);
            assertTrue(text.contains("control plane: xenstore " + socket.toAbsolutePath() + " (LEGACY, vif created at " +
                "/local/domain/0/backend/vif/1/0)"), text);
            assertTrue(text.contains("InitWait(2) -> Connected(4)"), text);
            assertTrue(text.contains("connects 1") && text.contains("backend: Closed"), text);
            assertEquals("6", store.read("/local/domain/0/backend/vif/1/0/state"));
        }
        finally
        {
            if (null != backend && backend.isAlive())
            {
                backend.destroyForcibly();
                backend.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(shm);
        }
    }

    private static String runFrontend(final String... args)
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            final CommandLine cli = XennetCommand.commandLine();
            cli.setErr(new PrintWriter(new StringWriter()));
            exit = cli.execute(args);
        }
        finally
        {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8) + "\nexit " + exit;
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
