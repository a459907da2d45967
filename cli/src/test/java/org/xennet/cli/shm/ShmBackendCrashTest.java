package org.xennet.cli.shm;

import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.core.shm.ShmFrontend;
import org.xennet.core.shm.ShmPacketStream;
import org.xennet.testkit.ShmTestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.xenbus.XenbusState;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the backend process ({@code xennet backend}, a separate JVM) with SIGKILL mid-stream and starts a new one on
 * the same file: the frontend notices, resets through the in-file state words, reconnects at a new generation and
 * carries on. Every packet is accounted for exactly once (OKAY and echoed, or failed at the reset), nothing is
 * echoed twice or corrupted. The second backend is then stopped with SIGTERM and must detach cleanly (Closed).
 */
final class ShmBackendCrashTest
{
    private static final int PACKETS = 400_000;
    private static final int KILL_AT = 100_000;

    @ParameterizedTest(name = "grant v{0}")
    @ValueSource(ints = {1, 2})
    void shouldResetReconnectAndAccountForEveryPacketWhenTheBackendIsKilled(final int grantVersion) throws Exception
    {
        final Path path = ShmTestFiles.newPath("crash");
        final Path logA = Files.createTempFile("xennet-backend-a-", ".log");
        final Path logB = Files.createTempFile("xennet-backend-b-", ".log");
        Process backendA = null;
        final Process[] backendB = new Process[1];
        try (ShmDeviceFile file = ShmDeviceFile.create(path, ShmFileConfig.defaults(grantVersion)))
        {
            backendA = startBackend(path, logA);
            final Process killed = backendA;
            final ShmPacketStream stream = new ShmPacketStream(PACKETS, 60, 256);
            final ShmFrontend frontend = new ShmFrontend(file, stream, 500);
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 60_000), () -> read(logA));
            final long[] sentAtKill = { -1 };
            final int rc = stream.run(frontend, idle, true, 60_000, () ->
            {
                if (sentAtKill[0] < 0 && stream.sent() >= KILL_AT)
                {
                    sentAtKill[0] = stream.sent();
                    killed.destroyForcibly(); // SIGKILL: no chance to detach
                    awaitExit(killed);
                    backendB[0] = startBackend(path, logB);
                }
            }, 0); // checked every cycle: the kill lands at KILL_AT packets, however fast the machine
            frontend.close();
            assertEquals(NetFrontResult.OK, rc, () -> stream + "\n" + read(logB));
            assertTrue(sentAtKill[0] > 0 && sentAtKill[0] < PACKETS, "killed mid-stream: sent=" + sentAtKill[0]);
            assertTrue(frontend.resets() >= 1, "resets=" + frontend.resets());
            assertNull(stream.verify(true));
            assertEquals(PACKETS, stream.sent());
            assertEquals(PACKETS, stream.okCount() + stream.failedAtReset() + stream.errorCount() +
                stream.droppedCount());
            assertEquals(frontend.failedAtReset(), stream.failedAtReset());
            assertTrue(file.generation() >= 2, "generation=" + file.generation());
            System.out.println("crash test (grant v" + grantVersion + "): killed at sent=" + sentAtKill[0] +
                ", " + stream + ", resets=" + frontend.resets());

            // SIGTERM: the second backend detaches cleanly and says so.
            backendB[0].destroy();
            assertTrue(backendB[0].waitFor(20, TimeUnit.SECONDS), "backend B ignored SIGTERM");
            final String out = read(logB);
            assertTrue(out.contains("backend: Closed"), out);
            assertTrue(out.contains("connects 1"), out);
            assertEquals(XenbusState.CLOSED.code(), file.backendState());
        }
        finally
        {
            stop(backendA);
            stop(backendB[0]);
            Files.deleteIfExists(path);
            Files.deleteIfExists(logA);
            Files.deleteIfExists(logB);
        }
    }

    static Process startBackend(final Path file, final Path log)
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try
        {
            return new ProcessBuilder(List.of(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "org.xennet.cli.XennetCommand",
                "backend", "--shm", file.toString(), "--idle", "backoff"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start backend JVM: " + ex.getMessage(), ex);
        }
    }

    private static void awaitExit(final Process process)
    {
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void stop(final Process process) throws InterruptedException
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }
}
