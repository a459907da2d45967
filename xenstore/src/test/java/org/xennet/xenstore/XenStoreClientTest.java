package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on {@link XenStoreClient} talking to a {@link XenStoreServer} over a UNIX socket: the client must
 * behave exactly as the embedded store.
 */
class XenStoreClientTest extends XenStoreContractTest
{
    @TempDir
    Path dir;

    private InMemoryXenStore backing;
    private XenStoreServer server;

    @Override
    protected void createBackingStore() throws Exception
    {
        backing = new InMemoryXenStore();
        server = XenStoreServer.start(dir.resolve("xs.sock"), backing);
    }

    @Override
    protected XenStore openHandle() throws Exception
    {
        return XenStoreClient.connect(server.socketPath());
    }

    @Override
    protected void destroyBackingStore()
    {
        assertEquals(0, server.internalErrors());
        server.close();
        backing.close();
    }

    @Test
    void shouldFailRequestsWithEioOnceServerIsGone() throws Exception
    {
        store.write("/before", "x");
        server.close();
        assertError(XsError.EIO, () -> store.read("/before"));
        assertError(XsError.EIO, () -> store.read("/before"));
    }
}
