package org.xennet.core.shm;

import org.xennet.testkit.ShmTestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.xenstore.InMemoryXenStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ShmXenbusBackend} and {@link ShmFrontend#overXenbus} on two threads over one store: the toolstack step
 * happens once, packets flow through the xenbus-connected rings, a backend that detaches cleanly is noticed through
 * the watch (no packet in flight, so not through the response deadline), and a new backend instance finds the vif
 * and serves the frontend's reset.
 */
final class ShmXenbusBackendTest
{
    /** A backend on its own thread: built, polled and closed there (the class is single-threaded). */
    private static final class BackendThread extends Thread
    {
        private final ShmDeviceFile file;
        private final InMemoryXenStore store;
        private final CompletableFuture<ShmXenbusBackend> started = new CompletableFuture<>();
        private volatile boolean stop;
        private volatile boolean abandon;

        BackendThread(final ShmDeviceFile file, final InMemoryXenStore store)
        {
            super("shm-xenbus-backend");
            this.file = file;
            this.store = store;
            setDaemon(true);
            start();
        }

        @Override
        public void run()
        {
            try
            {
                final ShmXenbusBackend backend = new ShmXenbusBackend(file, null, store, 0,
                    ShmXenbusBackend.DEFAULT_MAC, XenbusNetBack.Behaviour.MODERN, XenbusStateListener.NONE);
                started.complete(backend);
                final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
                while (!stop)
                {
                    idle.idle(backend.doWork());
                }
                if (!abandon)
                {
                    backend.close();
                }
            }
            catch (final RuntimeException ex)
            {
                started.completeExceptionally(ex);
            }
        }

        ShmXenbusBackend backend() throws Exception
        {
            return started.get(30, TimeUnit.SECONDS);
        }

        void detach() throws InterruptedException
        {
            stop = true;
            join(10_000);
        }

        /** Stops polling without a word to xenstore, as a killed process does. */
        void die() throws InterruptedException
        {
            abandon = true;
            detach();
        }
    }

    @Test
    void shouldRetireAConnectedStateLeftByADeadBackendSoAnIdleFrontendResetsAtOnce() throws Exception
    {
        final Path path = ShmTestFiles.newPath("xbdead");
        try (InMemoryXenStore store = new InMemoryXenStore();
            ShmDeviceFile file = ShmDeviceFile.create(path, ShmFileConfig.defaults(2)))
        {
            final BackendThread first = new BackendThread(file, store);
            final ShmPacketStream stream = new ShmPacketStream(1_000, 60, 1514);
            final ShmFrontend frontend = ShmFrontend.overXenbus(file, stream, 60_000, store, 0, Duration.ofSeconds(30),
                XenbusStateListener.NONE);
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 10_000), () -> "" + frontend.lastXenbusError());
            assertEquals(NetFrontResult.OK, stream.run(frontend, idle, true, 10_000, null));
            first.die();
            final String backendPath = VifKeys.backendPath(0, 1, 0);
            assertEquals(XenbusState.CONNECTED.text(), store.read(backendPath + "/" + VifKeys.STATE));
            assertFalse(frontend.backendLost(), "nothing in flight and nothing written: not noticed yet");

            final BackendThread second = new BackendThread(file, store);
            assertFalse(second.backend().createdVif());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // bounds a hang only
            while (!frontend.backendLost() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(1);
            }
            assertTrue(frontend.backendLost(), "the new backend's Closing was not seen");
            assertTrue(store.read(backendPath + "/" + VifKeys.ERROR).contains("previous instance"));
            assertEquals(0, second.backend().connects(), "the old rings were never mapped");
            assertEquals(NetFrontResult.OK, frontend.reset(idle, 10_000), () -> "" + frontend.lastXenbusError());
            assertEquals(1, second.backend().connects());
            assertFalse(store.exists(backendPath + "/" + VifKeys.ERROR), "error node cleared at connect");
            frontend.close();
            second.detach();
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void shouldConnectNoticeADetachThroughTheWatchAndServeTheResetOfANewBackend() throws Exception
    {
        final Path path = ShmTestFiles.newPath("xbback");
        try (InMemoryXenStore store = new InMemoryXenStore();
            ShmDeviceFile file = ShmDeviceFile.create(path, ShmFileConfig.defaults(1)))
        {
            final BackendThread first = new BackendThread(file, store);
            assertTrue(first.backend().createdVif());
            final ShmPacketStream stream = new ShmPacketStream(20_000, 60, 1514);
            final ShmFrontend frontend = ShmFrontend.overXenbus(file, stream, 60_000, store, 0, Duration.ofSeconds(30),
                XenbusStateListener.NONE);
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 10_000), () -> "" + frontend.lastXenbusError());
            assertEquals(NetFrontResult.OK, stream.run(frontend, idle, true, 10_000, null));
            assertNull(stream.verify(true));
            assertEquals(20_000, stream.echoCount());
            assertEquals(0, frontend.inFlight());
            assertFalse(frontend.backendLost());
            assertEquals(1, first.backend().connects());

            first.detach(); // Closing, Closed in xenstore
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // bounds a hang only
            while (!frontend.backendLost() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(1);
            }
            assertTrue(frontend.backendLost(), "the watch did not report the detach");
            assertEquals(XenbusState.CLOSED.text(), store.read(VifKeys.backendPath(0, 1, 0) + "/" + VifKeys.STATE));

            final BackendThread second = new BackendThread(file, store);
            assertFalse(second.backend().createdVif(), "the vif exists: no second toolstack step");
            assertEquals(NetFrontResult.OK, frontend.reset(idle, 10_000), () -> "" + frontend.lastXenbusError());
            assertEquals(1, frontend.resets());
            assertEquals(0, frontend.failedAtReset());
            assertFalse(frontend.backendLost());
            assertEquals(1, second.backend().connects());
            frontend.close();
            second.detach();
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
