package org.xennet.core.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;
import org.xennet.core.event.EventChannel;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.testkit.ShmTestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device file as a hostile boundary, with the peer played through a second mapping of the file: a backend that
 * rewrites the frontend's tx buffers, a dead frontend's ports and grants left in the file, a frontend restarted on
 * them.
 */
final class ShmHostilePeerTest
{
    private final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);

    private boolean beforeDeadline()
    {
        return System.nanoTime() - deadline < 0;
    }

    @Test
    void shouldNotCrashTheFrontendWhenTheBackendRewritesTheSequenceNumberInItsTxBuffers() throws Exception
    {
        final Path path = ShmTestFiles.newPath("hostile-back");
        try (ShmDeviceFile front = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile back = ShmDeviceFile.attach(path))
        {
            // Hostile backend: before answering, it writes -1 over the first 8 bytes of every tx claim buffer.
            final GuestMemory guest = back.guestMemory();
            final PacketSink scribbler = (buffer, offset, length) ->
            {
                for (int id = 0; id < 64; id++)
                {
                    guest.buffer().putLong((256 + 3 * id) * ShmFileDescriptor.PAGE_SIZE, -1L);
                }
                return PacketSink.ACCEPTED;
            };
            final ShmBackend backend = new ShmBackend(back, scribbler);
            final ShmPacketStream stream = new ShmPacketStream(500, 8, 200);
            final ShmFrontend frontend = new ShmFrontend(front, stream, 5_000);
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread serve = new Thread(() ->
            {
                while (!stop.get() && beforeDeadline())
                {
                    backend.doWork();
                }
            });
            serve.start();
            try
            {
                assertEquals(NetFrontResult.OK, frontend.connect(new NoOpIdleStrategy(), 10_000));
                assertEquals(NetFrontResult.OK, stream.run(frontend, new NoOpIdleStrategy(), false, 10_000, null));
            }
            finally
            {
                stop.set(true);
                serve.join();
            }
            assertEquals(500, stream.badCompletions()); // every completion named a packet never sent: ignored
            final String problem = stream.verify(false);
            assertNotNull(problem);
            assertTrue(problem.contains("rewritten by the peer"), problem);
            frontend.close();
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldNeverConnectOnPortsADeadFrontendLeft() throws Exception
    {
        final Path path = ShmTestFiles.newPath("stale-ports");
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (ShmDeviceFile front = ShmDeviceFile.create(path, ShmFileConfig.defaults(2));
            ShmDeviceFile back = ShmDeviceFile.attach(path))
        {
            final ShmBackend backend = new ShmBackend(back, null);
            // A live frontend's rings and ports, then its ports are handed to a process that died: stale keys.
            final EventChannel tx = front.events().allocUnbound(front.frontendDomid(), front.backendDomid());
            final EventChannel rx = front.events().allocUnbound(front.frontendDomid(), front.backendDomid());
            final int table = (int)front.buffer().getLong(ShmFileDescriptor.EVENTS_OFFSET);
            for (final EventChannel end : new EventChannel[]{ tx, rx })
            {
                front.buffer().putInt(table + end.port() * ShmFileDescriptor.EVTCHN_LENGTH +
                    ShmFileDescriptor.EVTCHN_OWNER_PID_OFFSET, (int)gone.pid());
            }
            front.eventPorts(tx.port(), rx.port());
            front.ringRefs(8, 9);
            front.grantTable().permitAccess(8, front.backendDomid(), 0x1000, false);
            front.grantTable().permitAccess(9, front.backendDomid(), 0x1001, false);
            front.nextGeneration();
            front.frontendState(XenbusState.CONNECTED);
            assertEquals(0, backend.doWork());
            assertEquals(0, backend.connects());
            assertEquals(XenbusState.INIT_WAIT.code(), front.backendState());
            assertTrue(backend.lastRefusal().contains("bad or missing event channel"), backend.lastRefusal());
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_UNBOUND, front.events().state(tx.port())); // never bound
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldReclaimTheGrantsAndPortsOfAFrontendThatVanishedAndConnectTheNextOne() throws Exception
    {
        final Path path = ShmTestFiles.newPath("restart");
        try (ShmDeviceFile back = ShmDeviceFile.create(path, ShmFileConfig.defaults(1)))
        {
            final ShmBackend backend = new ShmBackend(back, null);
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread serve = new Thread(() ->
            {
                while (!stop.get() && beforeDeadline())
                {
                    backend.doWork();
                }
            });
            serve.start();
            try
            {
                final ShmDeviceFile first = ShmDeviceFile.attach(path);
                final ShmPacketStream firstStream = new ShmPacketStream(300, 8, 1514);
                final ShmFrontend vanished = new ShmFrontend(first, firstStream, 5_000);
                assertEquals(NetFrontResult.OK, vanished.connect(new NoOpIdleStrategy(), 10_000));
                assertEquals(NetFrontResult.OK, firstStream.run(vanished, new NoOpIdleStrategy(), true, 10_000, null));
                first.close(); // gone without a word: Connected, its grants and ports left in the file
                assertEquals(2, back.events().inUse());

                try (ShmDeviceFile second = ShmDeviceFile.attach(path))
                {
                    final ShmPacketStream stream = new ShmPacketStream(1000, 8, 1514);
                    final ShmFrontend frontend = new ShmFrontend(second, stream, 5_000);
                    assertEquals(NetFrontResult.OK, frontend.connect(new NoOpIdleStrategy(), 10_000));
                    assertTrue(frontend.reclaimedGrants() > 256, "reclaimed " + frontend.reclaimedGrants());
                    assertEquals(NetFrontResult.OK, stream.run(frontend, new NoOpIdleStrategy(), true, 10_000, null));
                    assertNull(stream.verify(true));
                    assertEquals(1000, stream.echoCount());
                    frontend.close();
                }
            }
            finally
            {
                stop.set(true);
                serve.join();
            }
            assertEquals(2, backend.connects());
            assertEquals(0, back.events().inUse());
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
