package org.xennet.core.xenbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.WatchListener;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;
import org.xennet.xenstore.XsError;
import org.xennet.xenstore.XsPermission;

@Timeout(30)
class XenbusStateWaiterTest
{
    private static final String BACKEND = "/local/domain/0/backend/vif/1/0";
    private static final String STATE = BACKEND + "/state";

    private final InMemoryXenStore backing = new InMemoryXenStore();
    private final CountingStore store = new CountingStore(backing);
    private final XenbusStateWaiter waiter = new XenbusStateWaiter(store);

    @AfterEach
    void tearDown()
    {
        backing.close();
    }

    @Test
    void shouldReturnAtOnceWhenStateAlreadyReached()
    {
        backing.write(STATE, "2");
        assertEquals(XenbusState.INIT_WAIT, waiter.await(STATE, XenbusState.INIT_WAIT, Duration.ofSeconds(5)));
        assertEquals(0, store.watches.get() - store.unwatches.get(), "the watch must be removed afterwards");
    }

    @Test
    void shouldWakeOnWatchWhenPeerReachesState() throws Exception
    {
        backing.write(STATE, "1");
        // a timeout far beyond the class @Timeout: a CONNECTED result can only come from the watch
        final CompletableFuture<XenbusState> result = CompletableFuture.supplyAsync(
            () -> waiter.await(STATE, XenbusState.CONNECTED, Duration.ofMinutes(10)));
        awaitEvent(() -> store.watches.get() >= 1); // the waiter is watching
        backing.write(STATE, "3");
        awaitEvent(() -> "3".equals(store.lastRead)); // it saw the intermediate state and kept waiting
        backing.write(STATE, "4");
        assertEquals(XenbusState.CONNECTED, result.get(25, TimeUnit.SECONDS));
        assertTrue(store.reads.get() <= 6, "watch-driven, not polling: reads=" + store.reads.get());
    }

    @Test
    void shouldAcceptAnyOfSeveralStates()
    {
        backing.write(STATE, "6");
        assertEquals(XenbusState.CLOSED, waiter.await(STATE, EnumSet.of(XenbusState.CLOSING, XenbusState.CLOSED),
            Duration.ofSeconds(1)));
    }

    @Test
    void shouldTimeOutNamingAwaitedAndLastSeenStateWithoutPolling()
    {
        backing.write(STATE, "5");
        final long start = System.nanoTime();
        final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class,
            () -> waiter.await(STATE, XenbusState.INIT_WAIT, Duration.ofMillis(300)));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 300, "must wait the full timeout: elapsed=" + elapsedMs);
        assertEquals(EnumSet.of(XenbusState.INIT_WAIT), ex.awaited());
        assertEquals(XenbusState.CLOSING, ex.lastSeen());
        assertEquals(STATE, ex.path());
        assertTrue(ex.getMessage().contains("awaited=InitWait(2)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("lastSeen=Closing(5)"), ex.getMessage());
        assertTrue(store.reads.get() <= 3, "no busy polling: reads=" + store.reads.get());
        assertEquals(store.watches.get(), store.unwatches.get());
    }

    @Test
    void shouldReportTheLatestStateSeenBeforeTimeout() throws Exception
    {
        backing.write(STATE, "1");
        // the injected clock expires the deadline only once the waiter has read Closed: no race with a real clock
        final XenbusStateWaiter expiring = new XenbusStateWaiter(store, () -> "6".equals(store.lastRead) ?
            TimeUnit.HOURS.toNanos(1) : 0L);
        final CompletableFuture<XenbusState> result = CompletableFuture.supplyAsync(
            () -> expiring.await(STATE, XenbusState.CONNECTED, Duration.ofMillis(600)));
        awaitEvent(() -> store.watches.get() >= 1); // the waiter is watching (and read Initialising or is about to)
        backing.write(STATE, "6");
        final Throwable cause = assertThrows(Exception.class, () -> result.get(25, TimeUnit.SECONDS)).getCause();
        assertEquals(XenbusState.CLOSED, ((XenbusTimeoutException)cause).lastSeen());
    }

    @Test
    void shouldTreatMissingNodeAsUnknown()
    {
        final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class,
            () -> waiter.await(STATE, XenbusState.CONNECTED, Duration.ofMillis(50)));
        assertEquals(XenbusState.UNKNOWN, ex.lastSeen());
        assertNull(ex.lastSeenText());
        assertEquals(XenbusState.UNKNOWN, waiter.await(STATE, XenbusState.UNKNOWN, Duration.ofMillis(50)));
    }

    @Test
    void shouldNotTrustInvalidPeerValues()
    {
        backing.write(STATE, "4 ");
        final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class,
            () -> waiter.await(STATE, XenbusState.CONNECTED, Duration.ofMillis(50)));
        assertNull(ex.lastSeen());
        assertEquals("4 ", ex.lastSeenText());
        assertTrue(ex.getMessage().contains("lastSeen=invalid \"4 \""), ex.getMessage());
    }

    @Test
    void shouldPropagateXenstoreErrorsOtherThanMissingNode()
    {
        backing.write(STATE, "1");
        backing.setPermissions(XenStore.NO_TRANSACTION, STATE, List.of(new XsPermission(0, XsPermission.Access.NONE)));
        final XenbusStateWaiter unprivileged = new XenbusStateWaiter(backing.session(3));
        final XenStoreException ex = assertThrows(XenStoreException.class,
            () -> unprivileged.await(STATE, XenbusState.CONNECTED, Duration.ofSeconds(5)));
        assertEquals(XsError.EACCES, ex.error());
    }

    @Test
    void shouldReadWriteAndAwaitDeviceStateNode() throws Exception
    {
        final XenbusStateNode frontend = new XenbusStateNode(store, "device/vif/0");
        final XenbusStateNode backend = new XenbusStateNode(store, BACKEND);
        assertEquals("device/vif/0/state", frontend.path());
        assertEquals(XenbusState.UNKNOWN, frontend.read());
        frontend.write(XenbusState.INITIALISING);
        assertEquals("1", backing.read("/local/domain/0/device/vif/0/state"));
        assertEquals(XenbusState.INITIALISING, frontend.read());
        final CompletableFuture<XenbusState> wait = CompletableFuture.supplyAsync(
            () -> backend.await(XenbusState.INIT_WAIT, Duration.ofMinutes(10))); // bounds a hang only
        backend.write(XenbusState.INIT_WAIT);
        assertEquals(XenbusState.INIT_WAIT, wait.get(25, TimeUnit.SECONDS));
        backing.write(STATE, "x");
        assertThrows(IllegalArgumentException.class, backend::read);
    }

    @Test
    void shouldUseFiveSecondDefaultTimeout()
    {
        assertEquals(Duration.ofSeconds(5), XenbusStateWaiter.DEFAULT_TIMEOUT);
    }

    @Test
    void shouldTimeOutByInjectedClock()
    {
        final AtomicInteger ticks = new AtomicInteger();
        // each clock read advances 1 s: the deadline passes after the first read, with no real waiting
        final XenbusStateWaiter fast = new XenbusStateWaiter(store, () -> ticks.getAndIncrement() * 1_000_000_000L);
        final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class,
            () -> fast.await(STATE, XenbusState.CONNECTED, Duration.ofMillis(500)));
        assertEquals(XenbusState.UNKNOWN, ex.lastSeen());
    }

    /** Waits for something the code under test does (bounded by the class @Timeout), not for a clock. */
    private static void awaitEvent(final java.util.function.BooleanSupplier happened)
    {
        while (!happened.getAsBoolean())
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Delegates to a store, counting reads and watch registrations. */
    private static final class CountingStore implements XenStore
    {
        private final XenStore delegate;
        private final AtomicInteger reads = new AtomicInteger();
        private final AtomicInteger watches = new AtomicInteger();
        private final AtomicInteger unwatches = new AtomicInteger();
        private volatile String lastRead;

        CountingStore(final XenStore delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public byte[] read(final int txId, final String path)
        {
            reads.incrementAndGet();
            final byte[] value = delegate.read(txId, path);
            lastRead = value == null ? null : new String(value, java.nio.charset.StandardCharsets.US_ASCII);
            return value;
        }

        @Override
        public void write(final int txId, final String path, final byte[] value)
        {
            delegate.write(txId, path, value);
        }

        @Override
        public void mkdir(final int txId, final String path)
        {
            delegate.mkdir(txId, path);
        }

        @Override
        public void rm(final int txId, final String path)
        {
            delegate.rm(txId, path);
        }

        @Override
        public List<String> directory(final int txId, final String path)
        {
            return delegate.directory(txId, path);
        }

        @Override
        public List<XsPermission> getPermissions(final int txId, final String path)
        {
            return delegate.getPermissions(txId, path);
        }

        @Override
        public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
        {
            delegate.setPermissions(txId, path, permissions);
        }

        @Override
        public int transactionStart()
        {
            return delegate.transactionStart();
        }

        @Override
        public boolean transactionEnd(final int txId, final boolean commit)
        {
            return delegate.transactionEnd(txId, commit);
        }

        @Override
        public void watch(final String path, final String token, final WatchListener listener)
        {
            watches.incrementAndGet();
            delegate.watch(path, token, listener);
        }

        @Override
        public void unwatch(final String path, final String token)
        {
            unwatches.incrementAndGet();
            delegate.unwatch(path, token);
        }

        @Override
        public void close()
        {
            delegate.close();
        }
    }
}
