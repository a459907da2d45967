package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.testkit.ShmTestFiles;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;

/**
 * A xenstored that goes away under a running backend and frontend ({@code --xenstore}): the data path keeps
 * going (it does not need the store), and SIGTERM still ends both ends promptly and cleanly. The failing
 * xenstore calls of the detach fail fast and the rest of the teardown still runs (this hung the frontend at
 * exit before: a thrown close skipped the latch its shutdown hook waited on).
 */
@Timeout(180)
class XenstoredKillTest
{
    @TempDir
    Path dir;

    @Test
    void shouldStopBothEndsPromptlyAfterTheXenstoredIsGone() throws Exception
    {
        final Path shm = ShmTestFiles.newPath("xskill");
        final Path socket = dir.resolve("xs.sock");
        final Path backendLog = dir.resolve("backend.log");
        final Path frontendLog = dir.resolve("frontend.log");
        Process backend = null;
        Process frontend = null;
        try
        {
            final InMemoryXenStore store = new InMemoryXenStore();
            final XenStoreServer server = XenStoreServer.start(socket, store);
            try
            {
                backend = start(backendLog, "backend", "--shm", shm.toString(), "--xenstore", socket.toString());
                awaitLine(backendLog, "backend: serving", backend); // the backend creates the file first
                frontend = start(frontendLog, "frontend", "--shm", shm.toString(), "--xenstore", socket.toString(),
                    "--count", "2000000000");
                awaitLine(frontendLog, "frontend: sent=", frontend);
            }
            finally
            {
                server.close(); // every connection drops at once, as when xenstored is killed
                store.close();
            }
            final long before = read(frontendLog).lines().filter(line -> line.startsWith("frontend: sent=")).count();
            awaitCount(frontendLog, "frontend: sent=", before + 2, frontend); // the data path keeps going
            frontend.destroy(); // SIGTERM
            assertTrue(frontend.waitFor(20, TimeUnit.SECONDS), "frontend hung at exit:\n" + read(frontendLog));
            final String out = read(frontendLog);
            assertTrue(out.contains("frontend summary:"), out);
            assertTrue(out.contains("frontend: Closed"), out);
            assertFalse(out.contains("unaccounted") || out.contains("FAILED"), out);
            assertFalse(out.contains("\tat "), out);
            backend.destroy();
            assertTrue(backend.waitFor(20, TimeUnit.SECONDS), "backend hung at exit:\n" + read(backendLog));
            final String back = read(backendLog);
            assertTrue(back.contains("backend: Closed"), back);
            assertFalse(back.contains("\tat "), back);
        }
        finally
        {
            for (final Process process : new Process[] {frontend, backend})
            {
                if (null != process && process.isAlive())
                {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            Files.deleteIfExists(shm);
        }
    }

    static Process start(final Path log, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), XennetCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitLine(final Path log, final String prefix, final Process process) throws Exception
    {
        awaitCount(log, prefix, 1, process);
    }

    static void awaitCount(final Path log, final String prefix, final long count, final Process process)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (read(log).lines().filter(line -> line.startsWith(prefix)).count() < count)
        {
            assertTrue(process.isAlive(), "exited early:\n" + read(log));
            assertTrue(System.nanoTime() < deadline, "no \"" + prefix + "\" line:\n" + read(log));
            Thread.sleep(50);
        }
    }

    static String read(final Path log)
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
