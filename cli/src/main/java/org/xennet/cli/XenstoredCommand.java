package org.xennet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreQuotas;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xennet xenstored --socket PATH}: serves an in-memory xenstore on a UNIX socket until SIGINT/SIGTERM,
 * for xenstore-utils ({@code XENSTORED_PATH=PATH xenstore-ls}), pyxs or {@code --xenstore PATH} of other commands.
 * Every quota of {@link XenStoreQuotas} is an option.
 */
@Command(
    name = "xenstored",
    mixinStandardHelpOptions = true,
    description = "Serve an in-memory xenstore (io/xs_wire.h) on a UNIX socket until interrupted.")
public final class XenstoredCommand implements Callable<Integer>
{
    private static final XenStoreQuotas DEFAULTS = XenStoreQuotas.DEFAULTS;

    @Option(names = "--socket", required = true, paramLabel = "PATH",
        description = "UNIX socket to create (a stale socket is replaced; any other file is refused).")
    private Path socket;

    @Option(names = "--max-connections", paramLabel = "N",
        description = "Connections served at once (default: 64).")
    private int maxConnections = DEFAULTS.maxConnections();

    @Option(names = "--max-nodes", paramLabel = "N", description = "Nodes in the store; ENOSPC (default: 100000).")
    private int maxNodes = DEFAULTS.maxNodes();

    @Option(names = "--max-nodes-per-connection", paramLabel = "N",
        description = "Nodes one connection may create; EQUOTA (default: 10000).")
    private int maxNodesPerConnection = DEFAULTS.maxNodesPerConnection();

    @Option(names = "--max-node-size", paramLabel = "BYTES",
        description = "Largest node value; E2BIG (default: 4096).")
    private int maxNodeSize = DEFAULTS.maxNodeSize();

    @Option(names = "--max-watches", paramLabel = "N", description = "Watches per connection; E2BIG (default: 128).")
    private int maxWatches = DEFAULTS.maxWatches();

    @Option(names = "--max-transactions", paramLabel = "N",
        description = "Open transactions per connection; ENOSPC (default: 16).")
    private int maxTransactions = DEFAULTS.maxTransactions();

    @Option(names = "--max-transaction-ops", paramLabel = "N",
        description = "Requests per transaction; EQUOTA (default: 1024).")
    private int maxTransactionOps = DEFAULTS.maxTransactionOps();

    @Option(names = "--max-memory", paramLabel = "BYTES",
        description = "Estimated memory of the tree and open transactions; ENOMEM (default: 67108864).")
    private long maxMemory = DEFAULTS.maxMemoryBytes();

    @Option(names = "--max-outstanding", paramLabel = "N",
        description = "Unanswered requests per connection before it is not read (default: 64).")
    private int maxOutstanding = DEFAULTS.maxOutstandingRequests();

    @Option(names = "--max-queued-events", paramLabel = "N",
        description = "Watch events queued per connection before further ones are dropped (default: 4096).")
    private int maxQueuedEvents = DEFAULTS.maxQueuedEvents();

    @Option(names = "--half-message-timeout-ms", paramLabel = "MS",
        description = "Close a connection that leaves a message half-sent this long (default: 5000).")
    private long halfMessageTimeoutMs = DEFAULTS.halfMessageTimeout().toMillis();

    @Option(names = "--idle-timeout-ms", paramLabel = "MS",
        description = "Close a connection without watches or transactions idle this long; 0: never (default: 0).")
    private long idleTimeoutMs = DEFAULTS.idleTimeout().toMillis();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Starts the server and blocks until the JVM is told to stop.
     *
     * @return 0 after an orderly stop.
     * @throws Exception when the socket cannot be bound.
     */
    @Override
    public Integer call() throws Exception
    {
        final XenStoreQuotas quotas = quotas();
        final InMemoryXenStore store = new InMemoryXenStore(quotas);
        final XenStoreServer server;
        try
        {
            server = XenStoreServer.start(socket, store, maxConnections);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            store.close();
            throw ex;
        }
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

    private XenStoreQuotas quotas()
    {
        positive("--max-connections", maxConnections);
        positive("--max-nodes", maxNodes);
        positive("--max-nodes-per-connection", maxNodesPerConnection);
        positive("--max-node-size", maxNodeSize);
        positive("--max-watches", maxWatches);
        positive("--max-transactions", maxTransactions);
        positive("--max-transaction-ops", maxTransactionOps);
        positive("--max-memory", maxMemory);
        positive("--max-outstanding", maxOutstanding);
        positive("--max-queued-events", maxQueuedEvents);
        positive("--half-message-timeout-ms", halfMessageTimeoutMs);
        if (idleTimeoutMs < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--idle-timeout-ms must not be negative: " + idleTimeoutMs);
        }
        return XenStoreQuotas.builder().maxConnections(maxConnections).maxNodes(maxNodes)
            .maxNodesPerConnection(maxNodesPerConnection).maxNodeSize(maxNodeSize).maxWatches(maxWatches)
            .maxTransactions(maxTransactions).maxTransactionOps(maxTransactionOps).maxMemoryBytes(maxMemory)
            .maxOutstandingRequests(maxOutstanding).maxQueuedEvents(maxQueuedEvents)
            .halfMessageTimeout(Duration.ofMillis(halfMessageTimeoutMs)).idleTimeout(Duration.ofMillis(idleTimeoutMs))
            .build();
    }

    private void positive(final String option, final long value)
    {
        if (value < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be at least 1: " + value);
        }
    }
}
