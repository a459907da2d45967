package org.xennet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xennet xenstored --socket PATH}: serves an in-memory xenstore on a UNIX socket until SIGINT/SIGTERM,
 * for xenstore-utils ({@code XENSTORED_PATH=PATH xenstore-ls}), pyxs or {@code --xenstore PATH} of other commands.
 */
@Command(
    name = "xenstored",
    mixinStandardHelpOptions = true,
    description = "Serve an in-memory xenstore (io/xs_wire.h) on a UNIX socket until interrupted.")
public final class XenstoredCommand implements Callable<Integer>
{
    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "UNIX socket to create.")
    private Path socket;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "64",
        description = "Connections served at once (default: ${DEFAULT-VALUE}).")
    private int maxConnections;

    /**
     * Starts the server and blocks until the JVM is told to stop.
     *
     * @return 0 after an orderly stop.
     * @throws Exception when the socket cannot be bound.
     */
    @Override
    public Integer call() throws Exception
    {
        final InMemoryXenStore store = new InMemoryXenStore();
        final XenStoreServer server = XenStoreServer.start(socket, store, maxConnections);
        // SIGINT/SIGTERM run shutdown hooks: close the server so the socket file is removed.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            store.close();
        }, "xenstored-shutdown"));
        System.out.println("xenstored listening on " + server.socketPath());
        System.out.flush();
        server.awaitClose();
        return 0;
    }
}
