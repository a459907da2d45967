package org.xennet.xenstore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PolledWatchXenStore}: watch events wait for {@link PolledWatchXenStore#runWatches()} and run there, on the
 * calling thread, in order; everything else reaches the wrapped store.
 */
final class PolledWatchXenStoreTest
{
    @Test
    void shouldRunWatchEventsOnlyOnTheThreadThatPollsInOrder() throws Exception
    {
        try (InMemoryXenStore backing = new InMemoryXenStore())
        {
            final PolledWatchXenStore store = new PolledWatchXenStore(backing);
            final List<String> seen = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            store.watch("/a", "t", (path, token) ->
            {
                seen.add(path + "=" + backing.readIfExists(XenStore.NO_TRANSACTION, "/a").orElse("-"));
                threads.add(Thread.currentThread());
            });
            store.write("/a", "1");
            store.write("/a/b", "2");
            awaitDelivered(backing); // the initial event and two changes, handed over by the store's event thread
            assertTrue(seen.isEmpty(), "ran before runWatches: " + seen);
            assertEquals(3, store.runWatches());
            assertEquals(List.of("/a=1", "/a=1", "/a/b=1"), seen);
            assertEquals(List.of(Thread.currentThread(), Thread.currentThread(), Thread.currentThread()), threads);
            assertEquals(0, store.runWatches());
            store.unwatch("/a", "t");
            store.write("/a", "3");
            Thread.sleep(50);
            assertEquals(0, store.runWatches());
            assertEquals("3", backing.read("/a"));
        }
    }

    /**
     * A watch registered now gets its initial event after every event already due (one event thread, in order):
     * when it arrives, the events for the earlier changes have been handed over.
     */
    private static void awaitDelivered(final InMemoryXenStore backing) throws InterruptedException
    {
        final CountDownLatch delivered = new CountDownLatch(1);
        backing.watch("/a", "probe", (path, token) -> delivered.countDown());
        assertTrue(delivered.await(30, TimeUnit.SECONDS), "events not delivered");
        backing.unwatch("/a", "probe");
    }
}
