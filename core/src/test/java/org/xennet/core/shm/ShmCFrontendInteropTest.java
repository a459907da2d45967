package org.xennet.core.shm;

import org.xennet.testkit.ShmTestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netback.NetBack;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A C netfront written against Xen's {@code ring.h}, {@code netif.h}, {@code grant_table.h} and {@code xennet_shm.h}
 * (compiled here with gcc) sends 10^6 packets through the Java {@link ShmBackend} in loopback and checks every
 * echoed byte; once per grant table version.
 */
final class ShmCFrontendInteropTest
{
    private static final int PACKETS = 1_000_000;

    private static CProgram frontend;

    @BeforeAll
    static void compile()
    {
        frontend = CProgram.compileResources(ShmCFrontendInteropTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_common.h", "/c/shm_c_frontend.c"),
            "-O2", "-Wall", "-Werror");
    }

    @ParameterizedTest(name = "grant v{0}")
    @ValueSource(ints = {1, 2})
    void shouldEchoEveryByteOfAMillionPacketsFromACFrontend(final int grantVersion) throws Exception
    {
        echo(grantVersion, PACKETS, "ring", ShmFileConfig.defaults(grantVersion));
    }

    /** A real netfront grants its rings from pages of its own memory: the backend resolves them like any page. */
    @ParameterizedTest(name = "grant v{0}")
    @ValueSource(ints = {1, 2})
    void shouldConnectAndEchoWhenTheCFrontendGrantsItsRingsFromOrdinaryGuestPages(final int grantVersion)
        throws Exception
    {
        echo(grantVersion, 100_000, "guest", new ShmFileConfig(grantVersion, 2 * 256 + 2,
            ShmFileConfig.DEFAULT_GRANT_FRAMES, 1, 0, 0x1000, 0x10000, ""));
    }

    private static void echo(final int grantVersion, final int packets, final String rings, final ShmFileConfig config)
        throws Exception
    {
        final Path path = ShmTestFiles.newPath("cfront");
        try (ShmDeviceFile file = ShmDeviceFile.create(path, config))
        {
            final ShmBackend backend = new ShmBackend(file, null);
            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread thread = new Thread(() ->
            {
                final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
                while (running.get())
                {
                    idle.idle(backend.doWork());
                }
            }, "java-backend");
            thread.start();
            final CProgram.Result result;
            try
            {
                result = frontend.run(
                    new byte[0], 120, path.toString(), Integer.toString(packets), "60", "1514", rings);
            }
            finally
            {
                running.set(false);
                thread.join();
                backend.close();
            }
            assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
            final ProbeOutput out = ProbeOutput.parse(result.stdout());
            assertEquals(packets, out.get("sent"));
            assertEquals(packets, out.get("ok"));
            assertEquals(packets, out.get("echoed"));
            assertEquals(0, out.get("corrupt"));
            assertEquals(0, out.get("duplicates"));
            final NetBack back = backend.netBack();
            assertEquals(packets, back.txPackets());
            assertEquals(packets, back.rxPackets());
            assertEquals(0, file.events().inUse()); // the frontend freed its ports, the backend unbound them
            assertEquals(0, back.txErrorResponses() + back.rxCopyErrors() + backend.faults());
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
