package org.xennet.core.shm;

import org.xennet.testkit.ShmTestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The Java {@link ShmFrontend} against a C netback written with Xen's ring macros and {@code xennet_shm.h}
 * (compiled here with gcc): 10^6 packets, every one answered OKAY and echoed byte for byte; once per grant version.
 */
final class ShmCBackendInteropTest
{
    private static final int PACKETS = 1_000_000;

    private static CProgram backend;

    @BeforeAll
    static void compile()
    {
        backend = CProgram.compileResources(ShmCBackendInteropTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_common.h", "/c/shm_c_backend.c"),
            "-O2", "-Wall", "-Werror");
    }

    @ParameterizedTest(name = "grant v{0}")
    @ValueSource(ints = {1, 2})
    void shouldGetEveryPacketEchoedByACBackend(final int grantVersion) throws Exception
    {
        final Path path = ShmTestFiles.newPath("cback");
        try (ShmDeviceFile file = ShmDeviceFile.create(path, ShmFileConfig.defaults(grantVersion)))
        {
            final CompletableFuture<CProgram.Result> peer =
                CompletableFuture.supplyAsync(() -> backend.run(new byte[0], 120, path.toString()));
            final ShmPacketStream stream = new ShmPacketStream(PACKETS, 60, 1514);
            final ShmFrontend frontend = new ShmFrontend(file, stream, 5_000);
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            try
            {
                assertEquals(NetFrontResult.OK, frontend.connect(idle, 30_000));
                assertEquals(NetFrontResult.OK, stream.run(frontend, idle, true, 5_000, null));
            }
            finally
            {
                frontend.close(); // Closing: the C backend leaves its loop and exits
            }
            final CProgram.Result result = peer.get(60, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
            assertNull(stream.verify(true));
            assertEquals(PACKETS, stream.sent());
            assertEquals(PACKETS, stream.okCount());
            assertEquals(PACKETS, stream.echoCount());
            assertEquals(0, frontend.resets());
            final ProbeOutput out = ProbeOutput.parse(result.stdout());
            assertEquals(PACKETS, out.get("packets"));
            assertEquals(0, out.get("errors"));
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
