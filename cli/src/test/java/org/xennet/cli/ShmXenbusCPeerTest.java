package org.xennet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A C netfront over the shared device file (core's {@code shm_c_frontend.c}, compiled here with gcc) does the
 * xenbus handshake itself with iPXE's key sets, writing and reading xenstore through Xen's own client tools
 * ({@code xenstore-write}/{@code xenstore-read}) against this JVM's xs_wire server, and streams packets byte-checked
 * both ways through {@code xennet backend --shm FILE --xenstore SOCKET} in its own process.
 */
final class ShmXenbusCPeerTest
{
    private static final int PACKETS = 20_000;

    private static CProgram frontend;

    @TempDir
    Path dir;

    @BeforeAll
    static void compile()
    {
        for (final String tool : List.of("xenstore-write", "xenstore-read"))
        {
            assertTrue(onPath(tool), tool + " missing: apt-get install xenstore-utils");
        }
        frontend = CProgram.compileResources(ShmXenbusCPeerTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_common.h", "/c/shm_c_frontend.c"),
            "-O2", "-Wall", "-Werror");
    }

    @ParameterizedTest(name = "{0}, grant v{1}")
    @CsvSource({"xenbus-ipxe2014, 1", "xenbus-ipxe2014, 2", "xenbus-ipxe, 1", "xenbus-ipxe, 2"})
    void shouldHandshakeWithIpxesKeysThroughXenstoreToolsAndEchoEveryByte(final String mode, final int grantVersion)
        throws Exception
    {
        final Path shm = Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm" : dir.toString(),
            "xennet-test-cpeer-" + UUID.randomUUID());
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
                "--grant-version", Integer.toString(grantVersion)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

            // the C program waits (bounded) for the file, the vif and the backend's InitWait itself
            final CProgram.Result result = frontend.run(new byte[0], 120, shm.toString(), Integer.toString(PACKETS),
                "60", "1514", mode);
            assertEquals(0, result.exitCode(), () -> result.stdout() + result.stderr() + read(log));
            final ProbeOutput out = ProbeOutput.parse(result.stdout());
            assertEquals(PACKETS, out.get("sent"));
            assertEquals(PACKETS, out.get("ok"));
            assertEquals(PACKETS, out.get("echoed"));
            assertEquals(0, out.get("corrupt"));
            assertEquals(0, out.get("duplicates"));

            final String fe = "/local/domain/1/device/vif/0";
            assertEquals("6", store.read(fe + "/state"));
            assertEquals("1", store.read(fe + "/request-rx-copy"));
            assertTrue(store.exists(fe + "/event-channel"));
            assertFalse(store.exists(fe + "/event-channel-tx"), "one event channel, as iPXE");
            final boolean current = "xenbus-ipxe".equals(mode);
            for (final String flag : List.of("feature-sg", "feature-no-csum-offload", "feature-rx-notify"))
            {
                assertEquals(current, store.exists(fe + "/" + flag), flag);
            }

            backend.destroy(); // SIGTERM
            assertTrue(backend.waitFor(20, TimeUnit.SECONDS));
            final String text = read(log);
            assertTrue(text.contains("InitWait(2) -> Connected(4)"), text);
            assertTrue(text.contains("connects 1"), text);
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

    private static boolean onPath(final String tool)
    {
        for (final String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(entry, tool)))
            {
                return true;
            }
        }
        return false;
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
