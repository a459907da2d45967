package org.xennet.xenstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link XenStore} must have. Run against the embedded store and against the client talking
 * to the wire server, so the two are interchangeable.
 */
abstract class XenStoreContractTest
{
    private static final long EVENT_TIMEOUT_MS = 30_000; // bounds a hang only: polls return on the event
    private static final long NO_EVENT_MS = 150;

    protected XenStore store;
    private final List<XenStore> opened = new ArrayList<>();

    /** Creates the backing store (once per test). */
    protected abstract void createBackingStore() throws Exception;

    /** @return a new independent handle (connection/session acting as domain 0) on the backing store. */
    protected abstract XenStore openHandle() throws Exception;

    /** Releases the backing store. */
    protected abstract void destroyBackingStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception
    {
        createBackingStore();
        store = open();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final XenStore handle : opened)
        {
            handle.close();
        }
        destroyBackingStore();
    }

    protected XenStore open() throws Exception
    {
        final XenStore handle = openHandle();
        opened.add(handle);
        return handle;
    }

    @Test
    void shouldReadBackWrittenValue()
    {
        store.write("/a/b", "hello");
        assertEquals("hello", store.read("/a/b"));
    }

    @Test
    void shouldStoreBinaryValuesIncludingNulAndEmpty()
    {
        final byte[] value = {0, 1, (byte)0xFF, 0, 'x'};
        store.write(XenStore.NO_TRANSACTION, "/bin", value);
        assertArrayEquals(value, store.read(XenStore.NO_TRANSACTION, "/bin"));
        store.write(XenStore.NO_TRANSACTION, "/empty", new byte[0]);
        assertArrayEquals(new byte[0], store.read(XenStore.NO_TRANSACTION, "/empty"));
    }

    @Test
    void shouldCreateMissingParentsWithEmptyValues()
    {
        store.write("/x/y/z", "1");
        assertEquals("", store.read("/x/y"));
        assertEquals(List.of("y"), store.directory("/x"));
        assertEquals(List.of("z"), store.directory("/x/y"));
    }

    @Test
    void shouldFailReadOfMissingNodeWithEnoent()
    {
        assertError(XsError.ENOENT, () -> store.read("/missing"));
        assertEquals(Optional.empty(), store.readIfExists(XenStore.NO_TRANSACTION, "/missing"));
        assertFalse(store.exists("/missing"));
    }

    @Test
    void shouldListChildrenInCreationOrder()
    {
        store.write("/d/zeta", "");
        store.write("/d/alpha", "");
        store.mkdir("/d/mid");
        assertEquals(List.of("zeta", "alpha", "mid"), store.directory("/d"));
        assertEquals(List.of(), store.directory("/d/mid"));
        assertError(XsError.ENOENT, () -> store.directory("/nothing"));
    }

    @Test
    void shouldListDirectoriesLongerThanOnePayload()
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            names.add(String.format("child-with-a-long-name-%04d", i));
        }
        store.inTransaction(3, tx ->
        {
            for (final String name : names)
            {
                store.mkdir(tx, "/big/" + name);
            }
            return null;
        });
        assertEquals(names, store.directory("/big"));
    }

    @Test
    void shouldKeepValueOnMkdirOfExistingNode()
    {
        store.write("/m", "kept");
        store.mkdir("/m");
        assertEquals("kept", store.read("/m"));
        store.mkdir("/m/n/o");
        assertEquals("", store.read("/m/n/o"));
    }

    @Test
    void shouldRemoveSubtree()
    {
        store.write("/r/a/b", "1");
        store.write("/r/c", "2");
        store.rm("/r/a");
        assertFalse(store.exists("/r/a/b"));
        assertFalse(store.exists("/r/a"));
        assertEquals(List.of("c"), store.directory("/r"));
    }

    @Test
    void shouldRemoveMissingChildOfExistingNodeButNotOfMissingParent()
    {
        store.mkdir("/p");
        store.rm("/p/absent");
        assertError(XsError.ENOENT, () -> store.rm("/nope/absent"));
        assertError(XsError.EINVAL, () -> store.rm("/"));
    }

    @Test
    void shouldRejectInvalidPathsWithEinval()
    {
        for (final String bad : List.of("", "/a//b", "/a/", "/a b", "/\u00e4", "/a\0b", "/a*"))
        {
            assertError(XsError.EINVAL, () -> store.write(bad, "v"));
            assertError(XsError.EINVAL, () -> store.read(bad));
        }
    }

    @Test
    void shouldRejectOversizedWriteWithE2big()
    {
        final byte[] value = new byte[XsWire.PAYLOAD_MAX];
        assertError(XsError.E2BIG, () -> store.write(XenStore.NO_TRANSACTION, "/big", value));
        assertFalse(store.exists("/big"));
        final byte[] fits = new byte[XsWire.PAYLOAD_MAX - "/big".length() - 1];
        store.write(XenStore.NO_TRANSACTION, "/big", fits);
        assertEquals(fits.length, store.read(XenStore.NO_TRANSACTION, "/big").length);
    }

    @Test
    void shouldResolveRelativePathsAgainstDomainHome()
    {
        store.write("device/vif/0/state", "1");
        assertEquals("1", store.read("/local/domain/0/device/vif/0/state"));
        assertEquals(List.of("0"), store.directory("device/vif"));
    }

    @Test
    void shouldFireInitialWatchEventOnRegistration() throws Exception
    {
        final Events events = new Events();
        store.watch("/w", "tok", events);
        events.expect("/w", "tok");
        events.expectNone();
    }

    @Test
    void shouldFireWatchForNodeAndDescendantsButNotSiblings() throws Exception
    {
        final Events events = new Events();
        store.watch("/w", "tok", events);
        events.expect("/w", "tok");
        final XenStore other = open();
        other.write("/w", "1");
        events.expect("/w", "tok");
        other.write("/w/child/deep", "2");
        events.expect("/w/child/deep", "tok");
        other.write("/wx", "sibling");
        other.write("/v", "elsewhere");
        other.mkdir("/w/child/deep");
        events.expectNone();
        other.rm("/w/child");
        events.expect("/w/child", "tok");
    }

    @Test
    void shouldFireWatchOnDescendantWhenAncestorRemoved() throws Exception
    {
        store.write("/anc/mid/leaf", "x");
        final Events events = new Events();
        store.watch("/anc/mid/leaf", "leaf", events);
        events.expect("/anc/mid/leaf", "leaf");
        store.rm("/anc");
        events.expect("/anc/mid/leaf", "leaf");
    }

    @Test
    void shouldFireWatchOnPermissionChange() throws Exception
    {
        store.write("/perm", "x");
        final Events events = new Events();
        store.watch("/perm", "p", events);
        events.expect("/perm", "p");
        store.setPermissions(XenStore.NO_TRANSACTION, "/perm", List.of(new XsPermission(0, XsPermission.Access.READ)));
        events.expect("/perm", "p");
    }

    @Test
    void shouldDeliverRelativeEventPathsForRelativeWatch() throws Exception
    {
        final Events events = new Events();
        store.watch("backend", "rel", events);
        events.expect("backend", "rel");
        store.write("/local/domain/0/backend/vif/1/0/state", "2");
        events.expect("backend/vif/1/0/state", "rel");
    }

    @Test
    void shouldStopFiringAfterUnwatch() throws Exception
    {
        final Events events = new Events();
        store.watch("/u", "tok", events);
        events.expect("/u", "tok");
        store.unwatch("/u", "tok");
        store.write("/u", "1");
        events.expectNone();
        assertError(XsError.ENOENT, () -> store.unwatch("/u", "tok"));
    }

    @Test
    void shouldRejectDuplicateWatchButAllowAnotherToken() throws Exception
    {
        final Events events = new Events();
        store.watch("/dup", "one", events);
        assertError(XsError.EEXIST, () -> store.watch("/dup", "one", events));
        store.watch("/dup", "two", events);
        events.expect("/dup", "one");
        events.expect("/dup", "two");
        assertError(XsError.EINVAL, () -> store.watch("/bad//path", "x", events));
    }

    @Test
    void shouldAcceptSpecialWatchPaths() throws Exception
    {
        final Events events = new Events();
        store.watch("@releaseDomain", "rel", events);
        events.expect("@releaseDomain", "rel");
        store.write("/anything", "1");
        events.expectNone();
    }

    @Test
    void shouldLetListenersCallTheStore() throws Exception
    {
        store.write("/re/value", "seen");
        final BlockingQueue<String> reads = new LinkedBlockingQueue<>();
        store.watch("/re/value", "t", (path, token) -> reads.add(store.read(path)));
        assertEquals("seen", reads.poll(EVENT_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldIsolateTransactionUntilCommit() throws Exception
    {
        final XenStore other = open();
        store.write("/t/old", "1");
        final int tx = store.transactionStart();
        assertTrue(tx != XenStore.NO_TRANSACTION);
        store.write(tx, "/t/new", "2".getBytes(UTF_8));
        store.rm(tx, "/t/old");
        assertEquals("2", new String(store.read(tx, "/t/new"), UTF_8));
        assertEquals(List.of("new"), store.directory(tx, "/t"));
        assertFalse(other.exists("/t/new"));
        assertEquals("1", other.read("/t/old"));
        assertTrue(store.transactionEnd(tx, true));
        assertEquals("2", other.read("/t/new"));
        assertFalse(other.exists("/t/old"));
    }

    @Test
    void shouldLeaveLiveTreeUntouchedByTransactionChanges() throws Exception
    {
        final XenStore other = open();
        store.write("/cow/x", "1");
        store.write("/cow/b/y", "2");
        final List<XsPermission> perms = store.getPermissions(XenStore.NO_TRANSACTION, "/cow/b");
        final int tx = store.transactionStart();
        store.write(tx, "/cow/b/c", "3".getBytes(UTF_8));
        store.write(tx, "/cow/b/y", "changed".getBytes(UTF_8));
        store.rm(tx, "/cow/x");
        store.mkdir(tx, "/cow/n/m");
        store.setPermissions(tx, "/cow/b", List.of(new XsPermission(4, XsPermission.Access.READ)));
        assertEquals(List.of("b", "n"), store.directory(tx, "/cow"));
        assertEquals(List.of("x", "b"), other.directory("/cow"));
        assertEquals(List.of("y"), other.directory("/cow/b"));
        assertEquals("2", other.read("/cow/b/y"));
        assertEquals(perms, other.getPermissions(XenStore.NO_TRANSACTION, "/cow/b"));
        assertTrue(store.transactionEnd(tx, false));
        assertEquals(List.of("x", "b"), store.directory("/cow"));
        assertEquals(List.of("y"), store.directory("/cow/b"));
        assertEquals(perms, store.getPermissions(XenStore.NO_TRANSACTION, "/cow/b"));
    }

    @Test
    void shouldNotLoseIncrementsUnderConcurrentTransactions() throws Exception
    {
        final int threads = 4;
        final int increments = 25;
        store.write("/counter", "0");
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final XenStore handle = open();
            workers.add(new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < increments; i++)
                    {
                        handle.inTransaction(10_000, tx ->
                        {
                            final int value = Integer.parseInt(new String(handle.read(tx, "/counter"), UTF_8));
                            handle.write(tx, "/counter", Integer.toString(value + 1).getBytes(UTF_8));
                            return null;
                        });
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (final Thread worker : workers)
        {
            worker.join(30_000);
        }
        assertEquals(List.of(), failures);
        assertEquals(Integer.toString(threads * increments), store.read("/counter"),
            "a committed transaction must never overwrite a concurrent commit");
    }

    @Test
    void shouldDeliverEventsInChangeOrder() throws Exception
    {
        final Events events = new Events();
        store.watch("/order", "o", events);
        events.expect("/order", "o");
        final XenStore other = open();
        for (int i = 0; i < 20; i++)
        {
            other.write("/order/" + i, "x");
        }
        for (int i = 0; i < 20; i++)
        {
            events.expect("/order/" + i, "o");
        }
    }

    @Test
    void shouldDiscardAbortedTransaction()
    {
        final int tx = store.transactionStart();
        store.write(tx, "/ab", "x".getBytes(UTF_8));
        assertTrue(store.transactionEnd(tx, false));
        assertFalse(store.exists("/ab"));
        assertError(XsError.ENOENT, () -> store.transactionEnd(tx, true));
    }

    @Test
    void shouldFailCommitWhenUsedNodeChangedMeanwhile() throws Exception
    {
        final XenStore other = open();
        store.write("/c/state", "1");
        final int tx = store.transactionStart();
        assertEquals("1", new String(store.read(tx, "/c/state"), UTF_8));
        store.write(tx, "/c/result", "from-tx".getBytes(UTF_8));
        other.write("/c/state", "2");
        assertFalse(store.transactionEnd(tx, true), "commit must conflict (EAGAIN)");
        assertFalse(store.exists("/c/result"), "nothing of a conflicting transaction may be applied");
        assertEquals("2", store.read("/c/state"));
    }

    @Test
    void shouldFailCommitWhenNodeCreatedWhereTransactionSawNone() throws Exception
    {
        final XenStore other = open();
        final int tx = store.transactionStart();
        assertFalse(store.readIfExists(tx, "/late").isPresent());
        other.write("/late", "x");
        assertFalse(store.transactionEnd(tx, true));
    }

    @Test
    void shouldCommitWhenOnlyUnrelatedNodesChanged() throws Exception
    {
        final XenStore other = open();
        store.write("/k/mine", "1");
        other.write("/elsewhere/theirs", "1");
        final int tx = store.transactionStart();
        store.write(tx, "/k/mine", "2".getBytes(UTF_8));
        other.write("/elsewhere/theirs", "2");
        assertTrue(store.transactionEnd(tx, true));
        assertEquals("2", store.read("/k/mine"));
    }

    @Test
    void shouldFireWatchesAtCommitNotBefore() throws Exception
    {
        final XenStore other = open();
        final Events events = new Events();
        other.watch("/tw", "tok", events);
        events.expect("/tw", "tok");
        final int tx = store.transactionStart();
        store.write(tx, "/tw/a", "1".getBytes(UTF_8));
        events.expectNone();
        assertTrue(store.transactionEnd(tx, true));
        events.expect("/tw/a", "tok");
    }

    @Test
    void shouldRejectUnknownTransactionWithEnoent()
    {
        assertError(XsError.ENOENT, () -> store.read(987_654, "/"));
        assertError(XsError.ENOENT, () -> store.write(987_654, "/x", new byte[0]));
        assertError(XsError.ENOENT, () -> store.transactionEnd(987_654, false));
    }

    @Test
    void shouldNotShareTransactionsBetweenHandles() throws Exception
    {
        final XenStore other = open();
        final int tx = store.transactionStart();
        assertError(XsError.ENOENT, () -> other.write(tx, "/steal", new byte[0]));
        assertTrue(store.transactionEnd(tx, false));
    }

    @Test
    void shouldRetryConflictingTransactionBody() throws Exception
    {
        final XenStore other = open();
        store.write("/retry", "0");
        final AtomicInteger attempts = new AtomicInteger();
        final String result = store.inTransaction(5, tx ->
        {
            final String seen = new String(store.read(tx, "/retry"), UTF_8);
            if (attempts.incrementAndGet() == 1)
            {
                other.write("/retry", "1");
            }
            store.write(tx, "/retry", (seen + "+").getBytes(UTF_8));
            return seen;
        });
        assertEquals(2, attempts.get());
        assertEquals("1", result);
        assertEquals("1+", store.read("/retry"));
    }

    @Test
    void shouldGetAndSetPermissions()
    {
        store.write("/perms/node", "v");
        assertEquals(List.of(new XsPermission(0, XsPermission.Access.NONE)),
            store.getPermissions(XenStore.NO_TRANSACTION, "/perms/node"));
        final List<XsPermission> perms = List.of(new XsPermission(5, XsPermission.Access.BOTH),
            new XsPermission(7, XsPermission.Access.READ));
        store.setPermissions(XenStore.NO_TRANSACTION, "/perms/node", perms);
        assertEquals(perms, store.getPermissions(XenStore.NO_TRANSACTION, "/perms/node"));
        store.write("/perms/node/child", "c");
        assertEquals(perms, store.getPermissions(XenStore.NO_TRANSACTION, "/perms/node/child"));
        assertError(XsError.ENOENT, () -> store.getPermissions(XenStore.NO_TRANSACTION, "/perms/absent"));
        assertError(XsError.EINVAL, () -> store.setPermissions(XenStore.NO_TRANSACTION, "/perms/node", List.of()));
    }

    protected static void assertError(final XsError expected, final Executable executable)
    {
        final XenStoreException ex = assertThrows(XenStoreException.class, executable);
        assertEquals(expected, ex.error(), ex.getMessage());
    }

    /** Collects watch events for assertions. */
    protected static final class Events implements WatchListener
    {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        @Override
        public void onWatchEvent(final String path, final String token)
        {
            queue.add(path + " " + token);
        }

        void expect(final String path, final String token) throws InterruptedException
        {
            assertEquals(path + " " + token, queue.poll(EVENT_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }

        void expectNone() throws InterruptedException
        {
            assertNull(queue.poll(NO_EVENT_MS, TimeUnit.MILLISECONDS));
        }
    }
}
