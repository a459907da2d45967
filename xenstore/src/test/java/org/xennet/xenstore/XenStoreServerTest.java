package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire server's handling of protocol details and of malformed or hostile clients, over a real socket.
 */
@Timeout(60)
class XenStoreServerTest
{
    @TempDir
    Path dir;

    private InMemoryXenStore store;
    private XenStoreServer server;

    @BeforeEach
    void setUp() throws Exception
    {
        store = new InMemoryXenStore();
        store.write("/keep", "safe");
        server = XenStoreServer.start(dir.resolve("xs.sock"), store, 4);
    }

    @AfterEach
    void tearDown()
    {
        assertEquals(0, server.internalErrors());
        server.close();
        store.close();
    }

    @Test
    void shouldAnswerWithXenstoredPayloadConventions() throws Exception
    {
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            assertReply(raw.request(XsMessageType.WRITE, 7, 0, "/v\0value"), XsMessageType.WRITE, 7, "OK\0");
            assertReply(raw.request(XsMessageType.READ, 8, 0, "/v\0"), XsMessageType.READ, 8, "value");
            raw.request(XsMessageType.MKDIR, 9, 0, "/v/b\0");
            assertReply(raw.request(XsMessageType.DIRECTORY, 10, 0, "/v\0"), XsMessageType.DIRECTORY, 10, "b\0");
            assertReply(raw.request(XsMessageType.GET_PERMS, 11, 0, "/v\0"), XsMessageType.GET_PERMS, 11, "n0\0");
            assertReply(raw.request(XsMessageType.READ, 12, 0, "/absent\0"), XsMessageType.ERROR, 12, "ENOENT\0");
            final RawXsConnection.Message start = raw.request(XsMessageType.TRANSACTION_START, 13, 0, "\0");
            assertEquals(XsMessageType.TRANSACTION_START, start.type());
            assertTrue(start.text().matches("[1-9][0-9]*\0"), start.text());
            final int tx = Integer.parseInt(start.text().substring(0, start.text().length() - 1));
            assertReply(raw.request(XsMessageType.TRANSACTION_START, 14, tx, "\0"), XsMessageType.ERROR, 14,
                "EBUSY\0");
            assertReply(raw.request(XsMessageType.TRANSACTION_END, 15, tx, "T\0"), XsMessageType.TRANSACTION_END, 15,
                "OK\0");
            assertReply(raw.request(XsMessageType.GET_DOMAIN_PATH, 16, 0, "3\0"), XsMessageType.GET_DOMAIN_PATH, 16,
                "/local/domain/3\0");
        }
    }

    @Test
    void shouldSendInitialWatchEventRightAfterReplyWithReqIdZero() throws Exception
    {
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            assertReply(raw.request(XsMessageType.WATCH, 21, 0, "/w\0tok\0"), XsMessageType.WATCH, 21, "OK\0");
            assertReply(raw.receive(), XsMessageType.WATCH_EVENT, 0, "/w\0tok\0");
            store.write("/w/x", "1");
            assertReply(raw.receive(), XsMessageType.WATCH_EVENT, 0, "/w/x\0tok\0");
        }
    }

    @Test
    void shouldRejectMalformedRequestsWithErrorAndKeepServing() throws Exception
    {
        final Map<String, String> before = store.dump();
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            assertError(raw.request(99, 1, 0, "/keep\0"), 1, "EINVAL");
            assertError(raw.request(XsMessageType.WATCH_EVENT, 2, 0, "/keep\0t\0"), 2, "EINVAL");
            assertError(raw.request(XsMessageType.ERROR, 3, 0, "EINVAL\0"), 3, "EINVAL");
            assertError(raw.request(XsMessageType.READ, 4, 0, "/keep"), 4, "EINVAL");
            assertError(raw.request(XsMessageType.READ, 5, 0, "/keep\0/x\0"), 5, "EINVAL");
            assertError(raw.request(XsMessageType.WRITE, 6, 0, "/keep"), 6, "EINVAL");
            assertError(raw.request(XsMessageType.WRITE, 7, 0, "/ke ep\0x"), 7, "EINVAL");
            assertError(raw.request(XsMessageType.RM, 8, 0, ""), 8, "EINVAL");
            assertError(raw.request(XsMessageType.WATCH, 9, 0, "/keep\0"), 9, "EINVAL");
            assertError(raw.request(XsMessageType.TRANSACTION_END, 10, 0, "X\0"), 10, "EINVAL");
            assertError(raw.request(XsMessageType.TRANSACTION_END, 11, 0, "T\0"), 11, "ENOENT");
            assertError(raw.request(XsMessageType.WRITE, 12, 77, "/keep\0x"), 12, "ENOENT");
            assertError(raw.request(XsMessageType.SET_PERMS, 13, 0, "/keep\0q5\0"), 13, "EINVAL");
            assertError(raw.request(XsMessageType.INTRODUCE, 14, 0, "1\0" + "2\0" + "3\0"), 14, "ENOSYS");
            assertError(raw.request(XsMessageType.GET_DOMAIN_PATH, 15, 0, "-1\0"), 15, "EINVAL");
            assertReply(raw.request(XsMessageType.READ, 16, 0, "/keep\0"), XsMessageType.READ, 16, "safe");
        }
        assertEquals(before, store.dump());
    }

    @Test
    void shouldAnswerOversizedHeaderWithE2bigThenCloseOnlyThatConnection() throws Exception
    {
        try (RawXsConnection bystander = new RawXsConnection(server.socketPath());
            RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            raw.send(RawXsConnection.header(XsMessageType.WRITE, 42, 0, XsWire.PAYLOAD_MAX + 1));
            raw.send(new byte[100]);
            assertError(raw.receive(), 42, "E2BIG");
            assertNull(raw.receive(), "connection must be closed after an oversized header");
            assertReply(bystander.request(XsMessageType.READ, 1, 0, "/keep\0"), XsMessageType.READ, 1, "safe");
        }
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            raw.send(RawXsConnection.header(XsMessageType.READ, 43, 0, -1));
            assertError(raw.receive(), 43, "E2BIG");
            assertNull(raw.receive());
        }
        assertEquals("safe", store.read("/keep"));
    }

    @Test
    void shouldSurviveGarbageAndTruncatedMessages() throws Exception
    {
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            raw.send(new byte[] {1, 2, 3}); // a third of a header, then hang up
        }
        try (RawXsConnection raw = new RawXsConnection(server.socketPath()))
        {
            raw.send(RawXsConnection.header(XsMessageType.WRITE, 1, 0, 100));
            raw.send(RawXsConnection.bytes("/keep\0overwritten")); // payload cut short, then hang up
        }
        try (RawXsConnection client = new RawXsConnection(server.socketPath()))
        {
            assertReply(client.request(XsMessageType.READ, 1, 0, "/keep\0"), XsMessageType.READ, 1, "safe");
        }
    }

    @Test
    void shouldCloseConnectionsBeyondTheCap() throws Exception
    {
        final RawXsConnection[] open = new RawXsConnection[4];
        for (int i = 0; i < open.length; i++)
        {
            open[i] = new RawXsConnection(server.socketPath());
            assertNotNull(open[i].request(XsMessageType.READ, 1, 0, "/keep\0"));
        }
        try (RawXsConnection extra = new RawXsConnection(server.socketPath()))
        {
            assertNull(extra.receive(), "a fifth connection must be closed at once");
        }
        assertEquals(1, server.rejectedConnections());
        open[0].close();
        waitFor(() -> server.connectionCount() == 3);
        try (RawXsConnection again = new RawXsConnection(server.socketPath()))
        {
            assertReply(again.request(XsMessageType.READ, 2, 0, "/keep\0"), XsMessageType.READ, 2, "safe");
        }
        for (int i = 1; i < open.length; i++)
        {
            open[i].close();
        }
    }

    @Test
    void shouldDisconnectClientThatStopsReadingEvents() throws Exception
    {
        try (RawXsConnection stuck = new RawXsConnection(server.socketPath());
            XenStoreClient healthy = XenStoreClient.connect(server.socketPath()))
        {
            stuck.send(RawXsConnection.frame(XsMessageType.WATCH, 1, 0, RawXsConnection.bytes("/flood\0t\0")));
            waitFor(() -> server.connectionCount() == 2 && store.dump().size() > 0);
            assertNotNull(stuck.receive(), "WATCH reply"); // the reply (or first event) means the watch is registered
            for (int i = 0; i < 50_000 && server.connectionCount() == 2; i++)
            {
                store.write("/flood/n", "x".repeat(200));
            }
            waitFor(() -> server.connectionCount() == 1);
            healthy.write("/after", "ok");
            assertEquals("ok", store.read("/after"));
        }
    }

    @Test
    void shouldRefuseSecondServerOnLiveSocketAndReplaceStaleOne() throws Exception
    {
        assertThrows(IllegalStateException.class, () -> XenStoreServer.start(server.socketPath(), store));
        final Path stale = dir.resolve("stale.sock");
        XenStoreServer.start(stale, store).close();
        Files.createFile(stale); // a leftover file nobody listens on
        try (XenStoreServer replacement = XenStoreServer.start(stale, store);
            XenStoreClient client = XenStoreClient.connect(stale))
        {
            assertEquals("safe", client.read("/keep"));
            assertEquals(stale, replacement.socketPath());
        }
        assertTrue(Files.notExists(stale), "close must remove the socket file");
    }

    private static void assertReply(final RawXsConnection.Message message, final int type, final int reqId,
        final String payload)
    {
        assertNotNull(message, "connection closed");
        assertEquals(XsMessageType.name(type), XsMessageType.name(message.type()), message.text());
        assertEquals(reqId, message.reqId());
        assertEquals(payload, message.text());
    }

    private static void assertError(final RawXsConnection.Message message, final int reqId, final String errno)
    {
        assertReply(message, XsMessageType.ERROR, reqId, errno + "\0");
    }

    private static void waitFor(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 30_000_000_000L; // bounds a hang only
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
