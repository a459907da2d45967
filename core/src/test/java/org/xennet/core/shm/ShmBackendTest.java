package org.xennet.core.shm;

import org.xennet.testkit.ShmTestFiles;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;
import org.xennet.core.netback.FrontendFault;
import org.xennet.core.event.EventChannel;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.xenbus.XenbusState;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The in-file handshake between {@link ShmBackend} and {@link ShmFrontend}, both ends in this JVM on two mappings of
 * one file, stepped on one thread.
 */
final class ShmBackendTest
{
    private final long deadline = System.nanoTime() + 30_000_000_000L;

    private boolean beforeDeadline()
    {
        return System.nanoTime() - deadline < 0; // a broken handshake fails the assertions instead of hanging
    }

    @Test
    void shouldRefuseBadRingRefsWithoutRetryingThatGenerationThenServeTheNextFrontend() throws Exception
    {
        final Path path = ShmTestFiles.newPath("refs");
        try (ShmDeviceFile front = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile back = ShmDeviceFile.attach(path))
        {
            final ShmBackend backend = new ShmBackend(back, null);
            assertEquals(XenbusState.INIT_WAIT.code(), front.backendState());

            final EventChannel tx = front.events().allocUnbound(front.frontendDomid(), front.backendDomid());
            final EventChannel rx = front.events().allocUnbound(front.frontendDomid(), front.backendDomid());
            front.eventPorts(tx.port(), rx.port());
            front.ringRefs(5, 0xFFFF_FFFF); // a reserved ref and one past the table: never mapped
            front.nextGeneration();
            front.frontendState(XenbusState.CONNECTED);
            assertEquals(0, backend.doWork());
            assertEquals(XenbusState.INIT_WAIT.code(), front.backendState()); // ready for the next frontend
            assertEquals(FrontendFault.BAD_RING_REF, backend.netBack().fault());
            assertEquals(1, backend.faults());
            assertEquals(0, backend.doWork()); // the same generation is not retried
            assertEquals(NetBack.State.CLOSED, backend.netBack().state());
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_UNBOUND, front.events().state(tx.port())); // unbound again
            tx.close();
            rx.close();

            // The next, correct frontend connects and carries traffic.
            final ShmPacketStream stream = new ShmPacketStream(200, 8, 1514);
            final ShmFrontend frontend = new ShmFrontend(front, stream, 5_000);
            final Thread serve = new Thread(() ->
            {
                while (backend.netBack().txPackets() < 200 && beforeDeadline())
                {
                    backend.doWork();
                }
            });
            serve.start();
            assertEquals(NetFrontResult.OK, frontend.connect(new NoOpIdleStrategy(), 10_000));
            assertEquals(NetFrontResult.OK, stream.run(frontend, new NoOpIdleStrategy(), true, 10_000, null));
            serve.join();
            assertNull(stream.verify(true));
            assertEquals(1, backend.connects());
            frontend.close();
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldWaitForAResetWhenTheFrontendWasConnectedToAPreviousBackend() throws Exception
    {
        final Path path = ShmTestFiles.newPath("stale");
        try (ShmDeviceFile front = ShmDeviceFile.create(path, ShmFileConfig.defaults(2));
            ShmDeviceFile back = ShmDeviceFile.attach(path))
        {
            final ShmPacketStream stream = new ShmPacketStream(1000, 8, 100);
            final ShmFrontend frontend = new ShmFrontend(front, stream, 100);
            final ShmBackend first = new ShmBackend(back, null);
            final IdleStrategy idle = new NoOpIdleStrategy();
            final Thread pump = new Thread(() ->
            {
                while (first.connects() == 0 && beforeDeadline())
                {
                    first.doWork();
                }
            });
            pump.start();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 10_000));
            pump.join();

            // A second backend finds the frontend Connected at generation 1: it must not touch those rings.
            final ShmBackend second = new ShmBackend(back, null);
            assertEquals(XenbusState.INIT_WAIT.code(), front.backendState());
            for (int i = 0; i < 10; i++)
            {
                assertEquals(0, second.doWork());
            }
            assertEquals(0, second.connects());
            assertEquals(true, frontend.backendLost()); // it left Connected: the frontend resets

            final Thread pump2 = new Thread(() ->
            {
                while (second.connects() == 0 && beforeDeadline())
                {
                    second.doWork();
                }
            });
            pump2.start();
            assertEquals(NetFrontResult.OK, frontend.reset(idle, 10_000));
            pump2.join();
            assertEquals(2, front.generation());
            assertEquals(1, frontend.resets());

            final Thread serve = new Thread(() ->
            {
                while (second.netBack().txPackets() < 1000 && beforeDeadline())
                {
                    second.doWork();
                }
            });
            serve.start();
            assertEquals(NetFrontResult.OK, stream.run(frontend, idle, true, 10_000, null));
            serve.join();
            assertNull(stream.verify(true));
            assertEquals(1000, stream.echoCount());
            frontend.close();
            assertEquals(0, second.doWork()); // frontend left Connected: the backend disconnects
            assertEquals(NetBack.State.CLOSED, second.netBack().state());
            assertEquals(XenbusState.CLOSED.code(), front.frontendState());
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
