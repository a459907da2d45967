package org.xennet.core.xenbus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;
import org.xennet.xenstore.XenStoreServer;

/** The two stores the handshake must behave the same over: embedded, and the Java client over the wire server. */
enum StoreKind
{
    /** {@link InMemoryXenStore} called directly. */
    EMBEDDED,
    /** {@link XenStoreClient} talking xs_wire over a UNIX socket to a {@link XenStoreServer}. */
    SOCKET;

    /** An open store and whatever serves it. */
    static final class Handle implements AutoCloseable
    {
        final XenStore store;
        private final AutoCloseable[] resources;

        Handle(final XenStore store, final AutoCloseable... resources)
        {
            this.store = store;
            this.resources = resources;
        }

        @Override
        public void close() throws Exception
        {
            store.close();
            for (final AutoCloseable resource : resources)
            {
                resource.close();
            }
        }
    }

    Handle open()
    {
        final InMemoryXenStore memory = new InMemoryXenStore();
        if (this == EMBEDDED)
        {
            return new Handle(memory);
        }
        try
        {
            final Path dir = Files.createTempDirectory("xennet-xs");
            final XenStoreServer server = XenStoreServer.start(dir.resolve("socket"), memory);
            final XenStoreClient client = XenStoreClient.connect(server.socketPath());
            return new Handle(client, server, memory, () -> Files.deleteIfExists(dir.resolve("socket")),
                () -> Files.deleteIfExists(dir));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
