package org.xennet.xenstore;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A xenstored speaking the {@code io/xs_wire.h} protocol on a UNIX domain socket, serving an
 * {@link InMemoryXenStore}. Real clients work against it: xenstore-utils with {@code XENSTORED_PATH}, pyxs,
 * and {@link XenStoreClient}. Every connection acts as domain 0 (a local socket is privileged, as with
 * xenstored) and owns its watches and transactions, dropped when it closes.
 *
 * <p>Bounded and defensive: at most {@link #DEFAULT_MAX_CONNECTIONS} connections (more are closed at once), one
 * reader and one writer thread each, at most {@link #OUTPUT_QUEUE_LENGTH} queued replies and events per
 * connection (a client that stops reading is disconnected). A malformed request gets {@code XS_ERROR} and
 * changes nothing. A header announcing a payload over {@link XsWire#PAYLOAD_MAX} gets {@code E2BIG} and the
 * connection is closed: the stream cannot be resynchronised after it (cxenstored and oxenstored also drop such a
 * client). None of this affects other connections.
 */
public final class XenStoreServer implements AutoCloseable
{
    /** Connections served at once by default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    /** Replies and watch events queued per connection before it is considered stuck and closed. */
    public static final int OUTPUT_QUEUE_LENGTH = 1024;

    private static final System.Logger LOG = System.getLogger(XenStoreServer.class.getName());
    private static final ByteBuffer CLOSE_MARKER = ByteBuffer.allocate(0);

    private final Path socketPath;
    private final InMemoryXenStore store;
    private final int maxConnections;
    private final ServerSocketChannel serverChannel;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicLong rejectedConnections = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread acceptor;

    private XenStoreServer(final Path socketPath, final InMemoryXenStore store, final int maxConnections,
        final ServerSocketChannel serverChannel)
    {
        this.socketPath = socketPath;
        this.store = store;
        this.maxConnections = maxConnections;
        this.serverChannel = serverChannel;
        this.acceptor = new Thread(this::acceptLoop, "xenstored-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds the socket and starts serving.
     *
     * @param socketPath     where to create the socket; a stale socket file there (nobody listening) is replaced.
     * @param store          the store to serve.
     * @param maxConnections connections served at once.
     * @return the running server.
     * @throws IOException when the socket cannot be bound.
     * @throws IllegalStateException when another server is listening on {@code socketPath}.
     */
    public static XenStoreServer start(final Path socketPath, final InMemoryXenStore store, final int maxConnections)
        throws IOException
    {
        if (maxConnections < 1)
        {
            throw new IllegalArgumentException("xenstored needs at least one connection: maxConnections=" +
                maxConnections);
        }
        removeStaleSocket(socketPath);
        final ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            channel.bind(UnixDomainSocketAddress.of(socketPath));
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        final XenStoreServer server = new XenStoreServer(socketPath, store, maxConnections, channel);
        server.acceptor.start();
        return server;
    }

    /**
     * Binds the socket and starts serving up to {@link #DEFAULT_MAX_CONNECTIONS} connections.
     *
     * @param socketPath where to create the socket.
     * @param store      the store to serve.
     * @return the running server.
     * @throws IOException when the socket cannot be bound.
     */
    public static XenStoreServer start(final Path socketPath, final InMemoryXenStore store) throws IOException
    {
        return start(socketPath, store, DEFAULT_MAX_CONNECTIONS);
    }

    /** @return the socket's path. */
    public Path socketPath()
    {
        return socketPath;
    }

    /** @return the store served. */
    public InMemoryXenStore store()
    {
        return store;
    }

    /** @return connections currently open. */
    public int connectionCount()
    {
        return connections.size();
    }

    /** @return connections refused because {@code maxConnections} were open. */
    public long rejectedConnections()
    {
        return rejectedConnections.get();
    }

    /** @return requests that hit an unexpected exception (answered with EIO): a bug if not 0. */
    public long internalErrors()
    {
        long total = internalErrors.get();
        for (final Connection connection : connections)
        {
            total += connection.handler.internalErrors();
        }
        return total;
    }

    /**
     * Blocks until {@link #close()} has been called.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitClose() throws InterruptedException
    {
        closed.await();
    }

    /**
     * Stops accepting, closes every connection (dropping their watches and transactions) and removes the socket
     * file. Idempotent.
     */
    @Override
    public void close()
    {
        try
        {
            serverChannel.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "closing xenstored socket failed: path=" + socketPath, ex);
        }
        for (final Connection connection : connections)
        {
            connection.close();
        }
        try
        {
            Files.deleteIfExists(socketPath);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "removing xenstored socket failed: path=" + socketPath, ex);
        }
        closed.countDown();
    }

    private void acceptLoop()
    {
        while (serverChannel.isOpen())
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "xenstored accept failed", ex);
                continue;
            }
            if (connections.size() >= maxConnections)
            {
                rejectedConnections.incrementAndGet();
                closeQuietly(channel);
                continue;
            }
            final Connection connection = new Connection(channel, connectionIds.incrementAndGet());
            connections.add(connection);
            if (!serverChannel.isOpen())
            {
                connection.close(); // close() raced with this accept
                return;
            }
            connection.start();
        }
    }

    private static void removeStaleSocket(final Path socketPath) throws IOException
    {
        if (!Files.exists(socketPath))
        {
            return;
        }
        boolean listening;
        try
        {
            SocketChannel.open(UnixDomainSocketAddress.of(socketPath)).close();
            listening = true;
        }
        catch (final IOException ex)
        {
            listening = false;
        }
        if (listening)
        {
            throw new IllegalStateException("xenstored socket in use: path=" + socketPath);
        }
        Files.delete(socketPath); // nobody listening: a leftover from a process that died
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // nothing more to release
        }
    }

    /** One client: a reader thread decoding and handling requests, a writer thread sending queued messages. */
    private final class Connection
    {
        private final SocketChannel channel;
        private final BlockingQueue<ByteBuffer> output = new ArrayBlockingQueue<>(OUTPUT_QUEUE_LENGTH + 1);
        private final XsFrameDecoder decoder = new XsFrameDecoder();
        private final XsRequestHandler handler;
        private final Thread reader;
        private final Thread writer;
        private final AtomicBoolean closing = new AtomicBoolean();

        private Connection(final SocketChannel channel, final int id)
        {
            this.channel = channel;
            // the capacity keeps one slot free so that the close marker always fits
            this.handler = new XsRequestHandler(store, store.session(0), this::enqueue);
            this.reader = new Thread(this::readLoop, "xenstored-conn-" + id + "-reader");
            this.writer = new Thread(this::writeLoop, "xenstored-conn-" + id + "-writer");
            reader.setDaemon(true);
            writer.setDaemon(true);
        }

        /** Called with the store's lock held: queue or give up on the client, never block. */
        private boolean enqueue(final ByteBuffer message)
        {
            if (output.size() < OUTPUT_QUEUE_LENGTH && output.offer(message))
            {
                return true;
            }
            // A client that stops reading would grow memory without bound: disconnect it. Only the channel is
            // closed here (the store's watch list is being iterated); the reader thread then cleans up.
            LOG.log(System.Logger.Level.WARNING, "xenstored client not reading, disconnecting: " + reader.getName());
            closeQuietly(channel);
            return false;
        }

        private void start()
        {
            writer.start();
            reader.start();
        }

        private void readLoop()
        {
            final ByteBuffer buffer = ByteBuffer.allocate(8192);
            try
            {
                while (channel.read(buffer) >= 0)
                {
                    buffer.flip();
                    final int result = decoder.feed(buffer, handler);
                    buffer.clear();
                    if (result == XsFrameDecoder.OVERSIZED)
                    {
                        handler.onOversized(decoder.type(), decoder.reqId(), decoder.txId());
                        break;
                    }
                    if (handler.overflowed())
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                // peer went away or we closed the channel: fall through to the orderly shutdown
            }
            catch (final RuntimeException ex)
            {
                internalErrors.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "xenstored connection failed", ex);
            }
            finishAfterFlush();
        }

        private void writeLoop()
        {
            try
            {
                while (true)
                {
                    final ByteBuffer message = output.take();
                    if (message == CLOSE_MARKER)
                    {
                        break;
                    }
                    while (message.hasRemaining())
                    {
                        channel.write(message);
                    }
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // closed under us: nothing left to send to
            }
            close();
        }

        /** Lets the writer send what is queued (such as the E2BIG reply), then close. */
        private void finishAfterFlush()
        {
            handler.close(); // drop watches first, so no new events are queued after the marker
            output.offer(CLOSE_MARKER);
        }

        private void close()
        {
            if (!closing.compareAndSet(false, true))
            {
                return;
            }
            handler.close();
            closeQuietly(channel);
            output.clear();
            output.offer(CLOSE_MARKER);
            internalErrors.addAndGet(handler.internalErrors());
            connections.remove(this);
        }
    }
}
