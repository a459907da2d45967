package org.xennet.cli.shm;

import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.core.shm.ShmFrontend;
import org.xennet.core.shm.ShmPacketStream;
import org.xennet.testkit.ShmTestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreClient;
import org.xennet.xenstore.XenStoreServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash test over the xenbus control plane: a xenstored that outlives the backend (this JVM's
 * {@link XenStoreServer}, its socket recorded in the file's header), a backend JVM ({@code xennet backend --shm FILE},
 * which finds the socket in the header, does the toolstack step and runs {@code XenbusNetBack}), and this JVM's
 * frontend ({@link ShmFrontend#overXenbus}). The backend is SIGKILLed mid-stream and a new one started on the same
 * file and store: it finds its {@code state} node at Connected as the dead process left it and waits; the frontend
 * notices through the response deadline, resets through xenbus (Closed, backend Closing and Closed, Initialising,
 * backend InitWait), reconnects and carries on. Every packet is accounted for exactly once; the new backend's
 * printed state switches are the reset's.
 */
final class ShmXenbusCrashTest
{
    private static final int PACKETS = 300_000;
    private static final int KILL_AT = 100_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "grant v{0}, {1} backend")
    @CsvSource({"1, modern", "2, legacy"})
    void shouldResetThroughXenbusAndAccountForEveryPacketWhenTheBackendIsKilled(
        final int grantVersion, final String behaviour) throws Exception
    {
        final Path path = ShmTestFiles.newPath("xbcrash");
        final Path socket = dir.resolve("xs.sock");
        final Path logA = dir.resolve("backend-a.log");
        final Path logB = dir.resolve("backend-b.log");
        final ShmFileConfig defaults = ShmFileConfig.defaults(grantVersion);
        final ShmFileConfig config = new ShmFileConfig(grantVersion, defaults.guestPages(), defaults.grantFrames(),
            defaults.frontendDomid(), defaults.backendDomid(), defaults.ringFirstFrame(), defaults.guestFirstFrame(),
            socket.toString());
        Process backendA = null;
        final Process[] backendB = new Process[1];
        final List<String> frontendStates = Collections.synchronizedList(new ArrayList<>());
        try (InMemoryXenStore store = new InMemoryXenStore();
            XenStoreServer server = XenStoreServer.start(socket, store);
            XenStoreClient client = XenStoreClient.connect(socket);
            ShmDeviceFile file = ShmDeviceFile.create(path, config))
        {
            assertEquals(socket.toString(), file.xenstorePath());
            backendA = startBackend(path, behaviour, logA); // no --xenstore: the header names the socket
            final Process killed = backendA;
            final ShmPacketStream stream = new ShmPacketStream(PACKETS, 60, 256);
            final ShmFrontend frontend = ShmFrontend.overXenbus(file, stream, 500, client, 0, Duration.ofSeconds(10),
                (devicePath, from, to) -> frontendStates.add(to.toString()));
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 60_000),
                () -> read(logA) + "\n" + frontend.lastXenbusError());
            final String backendPath = frontend.xenbusFront().backendPath();
            assertEquals(VifKeys.backendPath(0, 1, 0), backendPath);
            final int statesBeforeKill = frontendStates.size();
            final long[] sentAtKill = { -1 };
            final int rc = stream.run(frontend, idle, true, 60_000, () ->
            {
                if (sentAtKill[0] < 0 && stream.sent() >= KILL_AT)
                {
                    sentAtKill[0] = stream.sent();
                    killed.destroyForcibly(); // SIGKILL: no chance to detach; xenstore keeps its Connected
                    awaitExit(killed);
                    backendB[0] = startBackend(path, behaviour, logB);
                }
            }, 0);
            final List<String> afterKill = List.copyOf(frontendStates.subList(statesBeforeKill, frontendStates.size()));
            frontend.close();
            // A clean close is the xenbus reset again, leaving the backend in InitWait for the next open.
            assertEquals(List.of(XenbusState.CLOSED.toString(), XenbusState.INITIALISING.toString()),
                List.copyOf(frontendStates.subList(statesBeforeKill + afterKill.size(), frontendStates.size())),
                "frontend states at close");
            assertEquals(NetFrontResult.OK, rc, () -> stream + "\n" + read(logB) + "\n" + frontend.lastXenbusError());
            assertTrue(sentAtKill[0] > 0 && sentAtKill[0] < PACKETS, "killed mid-stream: sent=" + sentAtKill[0]);
            assertEquals(1, frontend.resets(), "resets");
            assertNull(stream.verify(true));
            assertEquals(PACKETS, stream.sent());
            assertEquals(PACKETS, stream.okCount() + stream.failedAtReset() + stream.errorCount() +
                stream.droppedCount());
            assertEquals(0, stream.errorCount() + stream.droppedCount(), stream::toString);
            assertTrue(stream.failedAtReset() > 0, "packets were in flight at the kill: " + stream);
            assertEquals(frontend.failedAtReset(), stream.failedAtReset());

            // The frontend's writes after the kill: the reset (Closed, Initialising), then open (Connected).
            assertEquals(List.of(XenbusState.CLOSED.toString(), XenbusState.INITIALISING.toString(),
                XenbusState.INITIALISING.toString(), XenbusState.CONNECTED.toString()), afterKill,
                "frontend states after the kill");
            // The new backend: found Connected (left by the dead one), walked to Closed, InitWait, Connected; then
            // the frontend's close: Closing, Closed, InitWait.
            final String outB = read(logB);
            assertTrue(outB.contains("vif found at " + backendPath), outB);
            assertInOrder(outB, List.of(
                backendPath + " Connected(4) -> Closing(5)",
                backendPath + " Closing(5) -> Closed(6)",
                backendPath + " Closed(6) -> InitWait(2)",
                backendPath + " InitWait(2) -> Connected(4)",
                backendPath + " Connected(4) -> Closing(5)",
                backendPath + " Closing(5) -> Closed(6)",
                backendPath + " Closed(6) -> InitWait(2)"));
            assertTrue(read(logA).contains("vif created at " + backendPath), read(logA));
            System.out.println("xenbus crash test (grant v" + grantVersion + ", " + behaviour + "): killed at sent=" +
                sentAtKill[0] + ", " + stream + ", frontend states after the kill " + afterKill);

            // SIGTERM: the second backend detaches cleanly, Closing and Closed in xenstore.
            backendB[0].destroy();
            assertTrue(backendB[0].waitFor(20, TimeUnit.SECONDS), "backend B ignored SIGTERM");
            final String out = read(logB);
            assertTrue(out.contains("backend: Closed"), out);
            assertTrue(out.contains("connects 1"), out);
            assertEquals(XenbusState.CLOSED.text(), client.read(backendPath + "/" + VifKeys.STATE));
        }
        finally
        {
            stop(backendA);
            stop(backendB[0]);
            Files.deleteIfExists(path);
        }
    }

    private static void assertInOrder(final String text, final List<String> lines)
    {
        int from = 0;
        for (final String line : lines)
        {
            final int at = text.indexOf(line, from);
            assertTrue(at >= 0, "missing (in order) \"" + line + "\" in:\n" + text);
            from = at + line.length();
        }
    }

    private static Process startBackend(final Path file, final String behaviour, final Path log)
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try
        {
            return new ProcessBuilder(List.of(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "org.xennet.cli.XennetCommand",
                "backend", "--shm", file.toString(), "--idle", "backoff", "--behaviour", behaviour))
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
