package org.xennet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;
import picocli.CommandLine.Option;

/**
 * Picocli mixin for every command that needs a xenstore: embeds an {@link InMemoryXenStore} by default, or
 * connects to an external xenstored with {@code --xenstore SOCKET}. Use with
 * {@code @Mixin private XenStoreOption xenStoreOption;} then {@code try (XenStore store = xenStoreOption.open())}.
 */
public final class XenStoreOption
{
    @Option(names = "--xenstore", paramLabel = "SOCKET",
        description = "Use the xenstored listening on this UNIX socket instead of an embedded store.")
    private Path socket;

    /** @return the external xenstored's socket, or {@code null} for the embedded store. */
    public Path socket()
    {
        return socket;
    }

    /**
     * @return a new embedded store, or a client connected to {@code --xenstore}; the caller closes it.
     * @throws UncheckedIOException when the socket cannot be connected.
     */
    public XenStore open()
    {
        if (socket == null)
        {
            return new InMemoryXenStore();
        }
        try
        {
            return XenStoreClient.connect(socket);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot connect to xenstored: socket=" + socket, ex);
        }
    }
}
