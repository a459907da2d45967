package org.xennet.cli;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.core.shm.ShmFileDescriptor;
import org.xennet.core.shm.ShmFrontend;
import org.xennet.core.shm.ShmPacketStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code xennet backend} and {@code xennet frontend} do when the peer, the device file or a signal misbehaves
 * (the README's "Failure behaviour" table): a second backend, a truncated file, SIGTERM while waiting, a frontend
 * restarted on a file a killed one left, a frontend that rewrites the header after the backend attached. Each
 * scenario runs real processes and is bounded in time.
 */
final class ShmFailureBehaviourTest
{
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private Path shm;

    @AfterEach
    void stopProcesses() throws Exception
    {
        for (final Process process : processes)
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (null != shm)
        {
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void shouldRefuseASecondBackendOnOneFileNamingTheFirst() throws Exception
    {
        try (ShmDeviceFile file = ShmDeviceFile.create(newShm(), ShmFileConfig.defaults(1)))
        {
            final Path firstLog = dir.resolve("first.log");
            final Process first = start(firstLog, "backend", "--shm", shm.toString());
            awaitLog(firstLog, "backend: serving");
            final Path secondLog = dir.resolve("second.log");
            final Process second = start(secondLog, "backend", "--shm", shm.toString());
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue());
            final String out = Files.readString(secondLog);
            assertTrue(out.contains("xennet backend: shared device file already served by another backend: " +
                "backend_pid=" + first.pid()), out);
            assertFalse(out.contains("Exception"), out);
            assertTrue(first.isAlive()); // the first one serves on, untouched
            assertEquals(first.pid(), file.buffer().getInt(ShmFileDescriptor.BACKEND_PID_OFFSET));
        }
    }

    @Test
    void shouldEndBothEndsWithAClearErrorWhenTheFileIsTruncatedWhileMapped() throws Exception
    {
        ShmDeviceFile.create(newShm(), ShmFileConfig.defaults(2)).close();
        final Path backendLog = dir.resolve("backend.log");
        final Path frontendLog = dir.resolve("frontend.log");
        final Process backend = start(backendLog, "backend", "--shm", shm.toString());
        awaitLog(backendLog, "backend: serving");
        final Process frontend = start(frontendLog, "frontend", "--shm", shm.toString(), "--count", "1000000000",
            "--expect-echo");
        awaitLog(frontendLog, "frontend: Connected");
        try (RandomAccessFile raf = new RandomAccessFile(shm.toFile(), "rw"))
        {
            raf.setLength(ShmFileDescriptor.PAGE_SIZE); // only the header page survives
        }
        assertTrue(frontend.waitFor(30, TimeUnit.SECONDS), () -> read(frontendLog));
        assertTrue(backend.waitFor(30, TimeUnit.SECONDS), () -> read(backendLog));
        assertEquals(1, frontend.exitValue());
        assertEquals(1, backend.exitValue());
        final String front = read(frontendLog);
        final String back = read(backendLog);
        assertTrue(front.contains("xennet frontend: shared device file truncated or replaced while mapped"), front);
        assertTrue(back.contains("xennet backend: shared device file truncated or replaced while mapped"), back);
        assertFalse(front.contains("Exception in") || front.contains("InternalError: a fault"), front);
        assertFalse(back.contains("Exception in") || back.contains("\tat "), back);
    }

    @Test
    void shouldHonourSigtermPromptlyWhileWaitingForABackend() throws Exception
    {
        ShmDeviceFile.create(newShm(), ShmFileConfig.defaults(1)).close();
        final Path log = dir.resolve("frontend.log");
        final Process frontend = start(log, "frontend", "--shm", shm.toString(), "--connect-timeout-ms", "120000");
        awaitLog(log, "frontend: waiting for a backend");
        final long start = System.nanoTime();
        frontend.destroy(); // SIGTERM
        assertTrue(frontend.waitFor(90, TimeUnit.SECONDS), () -> read(log));
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 60_000, "took " + millis + " ms: " + read(log)); // not the 120 s connect timeout
        assertTrue(read(log).contains("frontend: Closed"), read(log));
    }

    @Test
    void shouldConnectAFrontendRestartedOnAFileAKilledFrontendLeft() throws Exception
    {
        ShmDeviceFile.create(newShm(), ShmFileConfig.defaults(1)).close();
        final Path backendLog = dir.resolve("backend.log");
        final Process backend = start(backendLog, "backend", "--shm", shm.toString());
        awaitLog(backendLog, "backend: serving");
        final Path firstLog = dir.resolve("first.log");
        final Process first = start(firstLog, "frontend", "--shm", shm.toString(), "--count", "1000000000");
        awaitLog(firstLog, "frontend: Connected");
        first.destroyForcibly(); // SIGKILL: its grants and ports stay in the file
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        final Path secondLog = dir.resolve("second.log");
        final Process second = start(secondLog, "frontend", "--shm", shm.toString(), "--count", "2000",
            "--expect-echo");
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), () -> read(secondLog));
        assertEquals(0, second.exitValue(), () -> read(secondLog) + read(backendLog));
        assertTrue(read(secondLog).contains("echoed=2000"), read(secondLog));
        assertTrue(backend.isAlive(), () -> read(backendLog));
    }

    @Test
    void shouldKeepServingWhenTheFrontendRewritesTheHeaderLayoutAfterAttach() throws Exception
    {
        try (ShmDeviceFile file = ShmDeviceFile.create(newShm(), ShmFileConfig.defaults(1)))
        {
            final Path log = dir.resolve("backend.log");
            final Process backend = start(log, "backend", "--shm", shm.toString());
            awaitLog(log, "backend: serving");
            // Hostile: ring and guest regions pointed far outside the file, rings.pages huge, frames negative.
            file.buffer().putLong(ShmFileDescriptor.RINGS_OFFSET, 1L << 40);
            file.buffer().putInt(ShmFileDescriptor.RINGS_OFFSET + ShmFileDescriptor.REGION_PAGES_OFFSET, -1);
            file.buffer().putLong(ShmFileDescriptor.RING_FIRST_FRAME_OFFSET, -2);
            file.buffer().putLong(ShmFileDescriptor.GUEST_OFFSET, 1L << 40);
            file.buffer().putLong(ShmFileDescriptor.GRANT_FRAMES_OFFSET, 1L << 40);
            final ShmPacketStream stream = new ShmPacketStream(2000, 60, 1514);
            final ShmFrontend frontend = new ShmFrontend(file, stream, 5000); // its own layout was read at attach
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 60_000), () -> read(log));
            assertEquals(NetFrontResult.OK, stream.run(frontend, idle, true, 5000, null));
            frontend.close();
            assertNull(stream.verify(true));
            assertEquals(2000, stream.echoCount());
            assertTrue(backend.isAlive(), () -> read(log));
        }
    }

    private Path newShm()
    {
        shm = Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm" : dir.toString(),
            "xennet-test-fail-" + UUID.randomUUID());
        return shm;
    }

    private Process start(final Path log, final String... args) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            "org.xennet.cli.XennetCommand"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        processes.add(process);
        return process;
    }

    /** Waits for a line in a process's log (the event), with a generous safety timeout. */
    private static void awaitLog(final Path log, final String text) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read(log).contains(text))
        {
            assertTrue(System.nanoTime() - deadline < 0, () -> "no \"" + text + "\" in: " + read(log));
            Thread.sleep(20);
        }
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
