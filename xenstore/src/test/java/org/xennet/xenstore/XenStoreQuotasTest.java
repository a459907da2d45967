package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 14 on xenstored, each as a test: the abusing connection gets Xen's error (or is bounded)
 * while another client keeps working and the server stays up.
 */
@Timeout(120)
class XenStoreQuotasTest
{
    @TempDir
    Path dir;

    private InMemoryXenStore store;
    private XenStoreServer server;

    private void start(final XenStoreQuotas quotas) throws Exception
    {
        store = new InMemoryXenStore(quotas);
        store.write("/keep", "safe");
        server = XenStoreServer.start(dir.resolve("xs.sock"), store);
    }

    @AfterEach
    void tearDown()
    {
        if (server != null)
        {
            assertEquals(0, server.internalErrors());
            server.close();
            store.close();
        }
    }

    @Test
    void shouldAnswerTransactionFloodWithEquotaWhileOthersKeepWorking() throws Exception
    {
        start(XenStoreQuotas.DEFAULTS);
        final String value = "v".repeat(3000);
        try (RawXsConnection flood = new RawXsConnection(server.socketPath());
            XenStoreClient other = XenStoreClient.connect(server.socketPath()))
        {
            final int tx = transactionStart(flood, 1);
            final int max = store.quotas().maxTransactionOps();
            for (int i = 0; i < max; i++)
            {
                assertEquals(XsMessageType.WRITE, flood.request(XsMessageType.WRITE, 2, tx,
                    "/flood/n" + i + "\0" + value).type());
            }
            for (int i = 0; i < 10; i++)
            {
                assertError(flood.request(XsMessageType.WRITE, 3, tx, "/flood/x\0" + value), 3, "EQUOTA");
            }
            other.write("/other", "fine");
            assertEquals("fine", other.read("/other"));
            assertTrue(store.memoryBytes() < store.quotas().maxMemoryBytes());
            // the connection stays usable: it may abort and go on
            assertEquals(XsMessageType.TRANSACTION_END, flood.request(XsMessageType.TRANSACTION_END, 4, tx, "F\0")
                .type());
            assertEquals("safe", flood.request(XsMessageType.READ, 5, 0, "/keep\0").text());
        }
    }

    @Test
    void shouldBoundMemoryOfManyTransactionsWithEnomem() throws Exception
    {
        start(XenStoreQuotas.builder().maxMemoryBytes(4L << 20).build());
        final String value = "v".repeat(4000);
        try (RawXsConnection flood = new RawXsConnection(server.socketPath());
            XenStoreClient other = XenStoreClient.connect(server.socketPath()))
        {
            String error = null;
            int writes = 0;
            for (int t = 0; t < store.quotas().maxTransactions() && error == null; t++)
            {
                final int tx = transactionStart(flood, 1);
                for (int i = 0; i < store.quotas().maxTransactionOps() && error == null; i++)
                {
                    final RawXsConnection.Message reply = flood.request(XsMessageType.WRITE, 2, tx,
                        "/m/n" + i + "\0" + value);
                    if (reply.type() == XsMessageType.ERROR)
                    {
                        error = reply.text();
                    }
                    writes++;
                }
            }
            assertEquals("ENOMEM\0", error, "after " + writes + " writes");
            assertTrue(store.memoryBytes() <= store.quotas().maxMemoryBytes(), "memory " + store.memoryBytes());
            assertEquals("safe", other.read("/keep"));
        }
        // closing the connection aborts its transactions and gives the memory back
        waitFor(() -> server.connectionCount() == 0);
        assertTrue(store.memoryBytes() < 1L << 20, "memory after abort: " + store.memoryBytes());
        store.write("/again", "v".repeat(4000));
    }

    @Test
    void shouldLimitNodesPerConnectionAndNodeSize() throws Exception
    {
        start(XenStoreQuotas.builder().maxNodesPerConnection(50).maxNodeSize(100).build());
        try (XenStoreClient greedy = XenStoreClient.connect(server.socketPath());
            XenStoreClient other = XenStoreClient.connect(server.socketPath()))
        {
            for (int i = 0; i < 49; i++)
            {
                greedy.write("/g/n" + i, "x"); // /g itself is the 50th node
            }
            final XenStoreException quota = assertThrows(XenStoreException.class, () -> greedy.write("/g/full", "x"));
            assertTrue(quota.isQuota(), quota.getMessage());
            assertEquals("EQUOTA", quota.wireName());
            other.write("/o/n", "x");
            greedy.rm("/g/n0");
            greedy.write("/g/again", "x"); // removing gives the quota back
            final XenStoreException big = assertThrows(XenStoreException.class,
                () -> other.write("/o/big", "b".repeat(101)));
            assertEquals(XsError.E2BIG, big.error());
            other.write("/o/fits", "b".repeat(100));
        }
    }

    @Test
    void shouldCountNodesCreatedInsideTransactionsTowardsTheConnectionQuota() throws Exception
    {
        start(XenStoreQuotas.builder().maxNodesPerConnection(10).build());
        final InMemoryXenStore.Session session = store.session(0);
        final int tx = session.transactionStart();
        for (int i = 0; i < 9; i++)
        {
            session.write(tx, "/t/n" + i, new byte[1]);
        }
        assertTrue(assertThrows(XenStoreException.class, () -> session.write(tx, "/t/x", new byte[1])).isQuota());
        assertTrue(session.transactionEnd(tx, true));
        assertEquals(10, session.ownedNodes());
        session.rm(XenStore.NO_TRANSACTION, "/t");
        assertEquals(0, session.ownedNodes());
        session.close();
    }

    @Test
    void shouldFlowControlPipelinedRequestsAndAnswerAllInOrder() throws Exception
    {
        start(XenStoreQuotas.builder().maxOutstandingRequests(4).build());
        final int requests = 5_000;
        try (RawXsConnection pipeliner = new RawXsConnection(server.socketPath());
            XenStoreClient other = XenStoreClient.connect(server.socketPath()))
        {
            final Thread sender = new Thread(() ->
            {
                try
                {
                    for (int i = 1; i <= requests; i++)
                    {
                        pipeliner.send(RawXsConnection.frame(XsMessageType.READ, i, 0,
                            RawXsConnection.bytes("/keep\0")));
                    }
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            sender.start();
            assertEquals("safe", other.read("/keep")); // while the pipeliner is not read
            for (int i = 1; i <= requests; i++)
            {
                final RawXsConnection.Message reply = pipeliner.receive();
                assertNotNull(reply);
                assertEquals(i, reply.reqId());
            }
            sender.join();
        }
    }

    @Test
    void shouldEndTheThreadsOfAFlowControlledClientThatHangsUp() throws Exception
    {
        start(XenStoreQuotas.builder().maxOutstandingRequests(4).build());
        final RawXsConnection pipeliner = new RawXsConnection(server.socketPath());
        final Thread sender = new Thread(() ->
        {
            try
            {
                for (int i = 1; i <= 100_000; i++)
                {
                    pipeliner.send(RawXsConnection.frame(XsMessageType.READ, i, 0, RawXsConnection.bytes("/keep\0")));
                }
            }
            catch (final java.io.IOException ex)
            {
                // closed below while blocked: expected
            }
        });
        sender.start();
        // the client never reads: its socket fills, the writer blocks, and the reader is held by flow control
        waitFor(() -> Thread.getAllStackTraces().keySet().stream().anyMatch(thread ->
            thread.getName().matches("xenstored-conn-[0-9]+-reader") && thread.getState() == Thread.State.WAITING));
        pipeliner.close(); // hangs up without reading a reply, input still buffered on the server side
        sender.join();
        waitFor(() -> server.connectionCount() == 0);
        waitFor(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(thread -> thread.getName().startsWith("xenstored-conn-")));
    }

    @Test
    void shouldKeepWatcherThroughLargeCommittedTransaction() throws Exception
    {
        start(XenStoreQuotas.builder().maxTransactionOps(8192).build());
        final AtomicInteger events = new AtomicInteger();
        final CountDownLatch last = new CountDownLatch(1);
        try (XenStoreClient backend = XenStoreClient.connect(server.socketPath());
            XenStoreClient writer = XenStoreClient.connect(server.socketPath()))
        {
            backend.watch("/w", "tok", (path, token) ->
            {
                events.incrementAndGet();
                if (path.equals("/w/done"))
                {
                    last.countDown();
                }
            });
            final int tx = writer.transactionStart();
            for (int i = 0; i < 3000; i++)
            {
                writer.write(tx, "/w/node", Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // one watched node, 3,000 times
            }
            for (int i = 0; i < 3000; i++)
            {
                writer.write(tx, "/w/n" + i, new byte[] {(byte)'x'}); // 3,000 distinct watched nodes
            }
            assertTrue(writer.transactionEnd(tx, true));
            writer.write("/w/done", "1");
            assertTrue(last.await(60, TimeUnit.SECONDS), "the watcher must get every event");
            assertEquals(2, server.connectionCount(), "the watch connection must survive");
            assertEquals("2999", backend.read("/w/node"));
            assertTrue(events.get() <= 1 + 1 + 1 + 3000 + 1 + 1, "coalesced: " + events.get());
            assertEquals(0, server.droppedEvents());
        }
    }

    @Test
    void shouldDropWatchEventsOverTheWireLimit() throws Exception
    {
        start(XenStoreQuotas.DEFAULTS);
        final String token = "t".repeat(2000);
        final String path = "/big/" + "p".repeat(2500);
        try (RawXsConnection watcher = new RawXsConnection(server.socketPath()))
        {
            assertEquals(XsMessageType.WATCH, watcher.request(XsMessageType.WATCH, 1, 0, "/big\0" + token + "\0")
                .type());
            assertEquals(XsMessageType.WATCH_EVENT, watcher.receive().type());
            store.write(path, "x");
            store.write("/big/small", "y");
            final RawXsConnection.Message event = watcher.receive();
            assertEquals("/big/small\0" + token + "\0", event.text(), "the oversized event is dropped");
            assertEquals(1, server.droppedEvents());
        }
    }

    @Test
    void shouldNotLetSixtyFourHalfSentConnectionsLockOthersOut() throws Exception
    {
        start(XenStoreQuotas.builder().halfMessageTimeout(Duration.ofSeconds(30)).build());
        final List<RawXsConnection> slow = new ArrayList<>();
        try
        {
            for (int i = 0; i < XenStoreServer.DEFAULT_MAX_CONNECTIONS; i++)
            {
                final RawXsConnection connection = new RawXsConnection(server.socketPath());
                connection.send(new byte[] {1, 0, 0}); // part of a header, never finished
                slow.add(connection);
            }
            waitFor(() -> server.connectionCount() == XenStoreServer.DEFAULT_MAX_CONNECTIONS);
            String value = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (value == null && System.nanoTime() < deadline)
            {
                try (XenStoreClient client = XenStoreClient.connect(server.socketPath()))
                {
                    value = client.read("/keep");
                }
                catch (final XenStoreException | java.io.IOException ex)
                {
                    Thread.sleep(50); // refused while the half-sent ones are younger than the eviction age
                }
            }
            assertEquals("safe", value);
            assertTrue(server.evictedConnections() >= 1);
        }
        finally
        {
            for (final RawXsConnection connection : slow)
            {
                connection.close();
            }
        }
    }

    @Test
    void shouldCloseHalfSentConnectionsAfterTheTimeout() throws Exception
    {
        start(XenStoreQuotas.builder().halfMessageTimeout(Duration.ofMillis(300)).build());
        try (RawXsConnection slow = new RawXsConnection(server.socketPath());
            XenStoreClient idle = XenStoreClient.connect(server.socketPath()))
        {
            slow.send(RawXsConnection.header(XsMessageType.WRITE, 1, 0, 10));
            slow.send(new byte[] {'/', 'a'}); // 2 of 10 payload bytes, then nothing
            assertEquals(null, slow.receive(), "the server closes the half-sent connection");
            assertEquals(1, server.timedOutConnections());
            assertEquals("safe", idle.read("/keep"), "an idle connection between messages stays");
        }
    }

    @Test
    void shouldCloseIdleConnectionsWithoutStateButKeepWatchers() throws Exception
    {
        start(XenStoreQuotas.builder().idleTimeout(Duration.ofMillis(1000)).build());
        try (RawXsConnection idle = new RawXsConnection(server.socketPath());
            XenStoreClient watcher = XenStoreClient.connect(server.socketPath()))
        {
            final CountDownLatch fired = new CountDownLatch(2);
            watcher.watch("/w", "t", (path, token) -> fired.countDown());
            assertEquals("safe", idle.request(XsMessageType.READ, 1, 0, "/keep\0").text());
            assertEquals(null, idle.receive(), "a connection holding nothing is closed when idle");
            assertTrue(server.timedOutConnections() >= 1);
            store.write("/w/x", "1");
            assertTrue(fired.await(30, TimeUnit.SECONDS), "a watcher is never idle-closed");
            assertEquals("1", watcher.read("/w/x"));
        }
    }

    private static int transactionStart(final RawXsConnection raw, final int reqId) throws Exception
    {
        final RawXsConnection.Message start = raw.request(XsMessageType.TRANSACTION_START, reqId, 0, "\0");
        assertEquals(XsMessageType.TRANSACTION_START, start.type(), start.text());
        return Integer.parseInt(start.text().substring(0, start.text().length() - 1));
    }

    private static void assertError(final RawXsConnection.Message message, final int reqId, final String name)
    {
        assertEquals(XsMessageType.ERROR, message.type(), message.text());
        assertEquals(reqId, message.reqId());
        assertEquals(name + "\0", message.text());
    }

    private static void waitFor(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not reached within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
