package org.xennet.xenstore;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A xenstored speaking the {@code io/xs_wire.h} protocol on a UNIX domain socket, serving an
 * {@link InMemoryXenStore}. Real clients work against it: xenstore-utils with {@code XENSTORED_PATH}, pyxs,
 * and {@link XenStoreClient}. Every connection acts as domain 0 (a local socket is privileged, as with
 * xenstored) and owns its watches and transactions, dropped when it closes.
 *
 * <p>Bounded and fair, by the store's {@link XenStoreQuotas}: one reader and one writer thread per connection;
 * requests are flow-controlled (after {@code maxOutstandingRequests} unanswered ones the connection is not read
 * until its replies drain, as oxenstored does since XSA-326); watch events are coalesced (an event identical to
 * one still queued is not queued again) and, past {@code maxQueuedEvents} or {@code maxQueuedEventBytes}
 * queued on one connection, dropped and counted, never disconnecting the watcher; events over the wire limit
 * are dropped as cxenstored and oxenstored do. A message left half-sent for {@code halfMessageTimeout} closes
 * its connection (slowloris). At {@code maxConnections} a new client evicts the longest-idle connection that
 * is half-sent or holds no watch and no transaction, and is refused only when none can be evicted. A malformed
 * request gets {@code XS_ERROR} and changes nothing; a header announcing a payload over
 * {@link XsWire#PAYLOAD_MAX} gets {@code E2BIG} and the connection is closed (the stream cannot be
 * resynchronised). None of this affects other connections.
 */
public final class XenStoreServer implements AutoCloseable
{
    /** Connections served at once by default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    private static final System.Logger LOG = System.getLogger(XenStoreServer.class.getName());
    private static final Outgoing CLOSE_MARKER = new Outgoing(ByteBuffer.allocate(0), false);
    /** A half-sent connection must be at least this old to be evicted for a new client. */
    private static final long EVICT_HALF_SENT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A connection without watches or transactions must have idled this long to be evicted. */
    private static final long EVICT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Unix file type bits of st_mode and the socket type. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socketPath;
    private final InMemoryXenStore store;
    private final XenStoreQuotas quotas;
    private final int maxConnections;
    private final ServerSocketChannel serverChannel;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicLong rejectedConnections = new AtomicLong();
    private final AtomicLong evictedConnections = new AtomicLong();
    private final AtomicLong timedOutConnections = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final AtomicLong coalescedEvents = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();
    private final AtomicLong oversizedEvents = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread acceptor;
    private final ScheduledExecutorService reaper;

    private XenStoreServer(final Path socketPath, final InMemoryXenStore store, final int maxConnections,
        final ServerSocketChannel serverChannel)
    {
        this.socketPath = socketPath;
        this.store = store;
        this.quotas = store.quotas();
        this.maxConnections = maxConnections;
        this.serverChannel = serverChannel;
        this.acceptor = new Thread(this::acceptLoop, "xenstored-accept");
        this.acceptor.setDaemon(true);
        this.reaper = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "xenstored-reaper");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Binds the socket and starts serving.
     *
     * @param socketPath     where to create the socket; a stale socket there (nobody listening) is replaced,
     *                       anything else that is not a socket is refused.
     * @param store          the store to serve; its {@link InMemoryXenStore#quotas()} bound the server too.
     * @param maxConnections connections served at once (overrides the quotas' value).
     * @return the running server.
     * @throws IOException when the socket cannot be bound ({@link FileAlreadyExistsException} when something
     *     other than a socket is at {@code socketPath}).
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
        final long period = Math.max(10, Math.min(1000, server.quotas.halfMessageTimeout().toMillis() / 4));
        server.reaper.scheduleWithFixedDelay(server::reap, period, period, TimeUnit.MILLISECONDS);
        server.acceptor.start();
        return server;
    }

    /**
     * Binds the socket and starts serving up to the store's {@link XenStoreQuotas#maxConnections()} connections.
     *
     * @param socketPath where to create the socket.
     * @param store      the store to serve.
     * @return the running server.
     * @throws IOException when the socket cannot be bound.
     */
    public static XenStoreServer start(final Path socketPath, final InMemoryXenStore store) throws IOException
    {
        return start(socketPath, store, store.quotas().maxConnections());
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

    /** @return connections refused because {@code maxConnections} were open and none could be evicted. */
    public long rejectedConnections()
    {
        return rejectedConnections.get();
    }

    /** @return idle or half-sent connections closed to make room for a new client. */
    public long evictedConnections()
    {
        return evictedConnections.get();
    }

    /** @return connections closed by the half-message or idle timeout. */
    public long timedOutConnections()
    {
        return timedOutConnections.get();
    }

    /** @return watch events dropped because a connection's event queue was full or they exceeded the wire limit. */
    public long droppedEvents()
    {
        long total = droppedEvents.get() + oversizedEvents.get();
        for (final Connection connection : connections)
        {
            total += connection.handler.oversizedEvents();
        }
        return total;
    }

    /** @return watch events not queued because an identical one was still queued on the connection. */
    public long coalescedEvents()
    {
        return coalescedEvents.get();
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
        reaper.shutdownNow();
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
            if (connections.size() >= maxConnections && !evictOne())
            {
                rejectedConnections.incrementAndGet();
                closeQuietly(channel);
                continue;
            }
            final Connection connection;
            try
            {
                connection = new Connection(channel, connectionIds.incrementAndGet());
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                // cannot serve it (out of threads or memory): refuse this client, keep serving the others
                internalErrors.incrementAndGet();
                rejectedConnections.incrementAndGet();
                closeQuietly(channel);
                continue;
            }
            connections.add(connection);
            if (!serverChannel.isOpen())
            {
                connection.close(); // close() raced with this accept
                return;
            }
            connection.start();
        }
    }

    /**
     * Makes room for a new client: closes the connection idle longest among those that are half-sent (slowloris)
     * or hold no watch and no transaction, so one client holding every slot cannot lock the others out.
     */
    private boolean evictOne()
    {
        final long now = System.nanoTime();
        Connection victim = null;
        for (final Connection connection : connections)
        {
            final long idle = now - connection.lastActivity;
            final boolean halfSent = connection.partialSince != 0 && now - connection.partialSince >=
                EVICT_HALF_SENT_NANOS;
            final boolean stateless = idle >= EVICT_IDLE_NANOS && !connection.handler.holdsState();
            if ((halfSent || stateless) && (victim == null || connection.lastActivity < victim.lastActivity))
            {
                victim = connection;
            }
        }
        if (victim == null)
        {
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, "xenstored at its connection limit, evicting an idle client: " +
            victim.reader.getName());
        evictedConnections.incrementAndGet();
        victim.close();
        return true;
    }

    /** Closes connections whose message stays half-sent too long, and stateless ones idle too long. */
    private void reap()
    {
        final long now = System.nanoTime();
        final long halfMessage = quotas.halfMessageTimeout().toNanos();
        final long idle = quotas.idleTimeout().toNanos();
        for (final Connection connection : connections)
        {
            final long partialSince = connection.partialSince;
            final boolean halfSent = partialSince != 0 && now - partialSince >= halfMessage;
            final boolean idleTooLong = idle > 0 && partialSince == 0 && now - connection.lastActivity >= idle &&
                !connection.handler.holdsState();
            if (halfSent || idleTooLong)
            {
                LOG.log(System.Logger.Level.WARNING, "xenstored closing a connection: " +
                    (halfSent ? "message half-sent for " + quotas.halfMessageTimeout() : "idle for " +
                    quotas.idleTimeout()) + ", " + connection.reader.getName());
                timedOutConnections.incrementAndGet();
                connection.close();
            }
        }
    }

    private static void removeStaleSocket(final Path socketPath) throws IOException
    {
        if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        if (!isSocket(socketPath))
        {
            // Only a socket can be a leftover of a dead xenstored: never delete a user's file or directory.
            throw new FileAlreadyExistsException(socketPath.toString(), null,
                "exists and is not a socket, refusing to replace it");
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
        Files.delete(socketPath); // a socket nobody listens on: a leftover from a process that died
    }

    private static boolean isSocket(final Path path) throws IOException
    {
        try
        {
            final Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer && ((Integer)mode & S_IFMT) == S_IFSOCK;
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            // no unix view: "other" is a socket, FIFO or device; only a socket will pass the connect probe
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        }
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

    /** One message to send; {@code event} ones are bounded and coalesced, replies are flow-controlled. */
    private record Outgoing(ByteBuffer message, boolean event)
    {
    }

    /** One client: a reader thread decoding and handling requests, a writer thread sending queued messages. */
    private final class Connection
    {
        private final SocketChannel channel;
        private final LinkedBlockingQueue<Outgoing> output = new LinkedBlockingQueue<>();
        /** Watch events queued and not yet taken by the writer, for coalescing (content equality). */
        private final Set<ByteBuffer> queuedEvents = ConcurrentHashMap.newKeySet();
        private final AtomicInteger queuedEventCount = new AtomicInteger();
        private final AtomicLong queuedEventBytes = new AtomicLong();
        /** Replies the client may still be owed before this connection is no longer read. */
        private final Semaphore outstanding;
        private final XsFrameDecoder decoder = new XsFrameDecoder();
        private final XsRequestHandler handler;
        private final Thread reader;
        private final Thread writer;
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile long lastActivity = System.nanoTime();
        private volatile long partialSince;
        private boolean dropping;

        private Connection(final SocketChannel channel, final int id)
        {
            this.channel = channel;
            this.outstanding = new Semaphore(quotas.maxOutstandingRequests());
            this.handler = new XsRequestHandler(store, store.session(0), new XsRequestHandler.Output()
            {
                @Override
                public boolean send(final ByteBuffer message)
                {
                    return enqueueReply(message);
                }

                @Override
                public void sendEvent(final ByteBuffer message)
                {
                    enqueueEvent(message);
                }
            });
            this.reader = new Thread(this::readLoop, "xenstored-conn-" + id + "-reader");
            this.writer = new Thread(this::writeLoop, "xenstored-conn-" + id + "-writer");
            reader.setDaemon(true);
            writer.setDaemon(true);
        }

        /** Called with the store's lock held: never blocks (the reader reserved room before the request). */
        private boolean enqueueReply(final ByteBuffer message)
        {
            if (closing.get())
            {
                return false;
            }
            output.add(new Outgoing(message, false));
            return true;
        }

        /** Called with the store's lock held: coalesce, queue within the bounds, or drop; never disconnect. */
        private void enqueueEvent(final ByteBuffer message)
        {
            if (closing.get())
            {
                return;
            }
            if (queuedEvents.contains(message))
            {
                coalescedEvents.incrementAndGet(); // the watcher will re-read the node anyway
                return;
            }
            if (queuedEventCount.get() >= quotas.maxQueuedEvents() ||
                queuedEventBytes.get() + message.remaining() > quotas.maxQueuedEventBytes())
            {
                droppedEvents.incrementAndGet();
                if (!dropping)
                {
                    dropping = true;
                    LOG.log(System.Logger.Level.WARNING, "xenstored client not reading its watch events, " +
                        "dropping further ones: " + reader.getName());
                }
                return;
            }
            dropping = false;
            queuedEvents.add(message);
            queuedEventCount.incrementAndGet();
            queuedEventBytes.addAndGet(message.remaining());
            output.add(new Outgoing(message, true));
        }

        private void start()
        {
            writer.start();
            reader.start();
        }

        private void readLoop()
        {
            final ByteBuffer buffer = ByteBuffer.allocate(8192);
            final XsFrameDecoder.FrameHandler frames = (type, reqId, txId, payload) ->
            {
                partialSince = 0;
                if (!awaitRoomForReply())
                {
                    return;
                }
                handler.onFrame(type, reqId, txId, payload);
            };
            try
            {
                while (channel.read(buffer) >= 0)
                {
                    lastActivity = System.nanoTime();
                    buffer.flip();
                    final int result = decoder.feed(buffer, frames);
                    buffer.clear();
                    if (!decoder.inFrame())
                    {
                        partialSince = 0;
                    }
                    else if (partialSince == 0)
                    {
                        partialSince = lastActivity; // a message began: it must end within the timeout
                    }
                    if (result == XsFrameDecoder.OVERSIZED)
                    {
                        if (awaitRoomForReply())
                        {
                            handler.onOversized(decoder.type(), decoder.reqId(), decoder.txId());
                        }
                        break;
                    }
                    if (handler.overflowed() || closing.get())
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                // peer went away or we closed the channel: fall through to the orderly shutdown
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                internalErrors.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "xenstored connection failed", ex);
            }
            finishAfterFlush();
        }

        /** Flow control: wait until fewer than maxOutstandingRequests replies are unsent. */
        private boolean awaitRoomForReply()
        {
            if (closing.get())
            {
                return false; // the rest of a closed connection's input is not handled
            }
            try
            {
                outstanding.acquire();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
            return !closing.get();
        }

        private void writeLoop()
        {
            try
            {
                while (true)
                {
                    final Outgoing next = output.take();
                    if (next == CLOSE_MARKER)
                    {
                        break;
                    }
                    if (next.event)
                    {
                        // from here a new identical event must be queued again: the client may read before it
                        queuedEvents.remove(next.message);
                        queuedEventCount.decrementAndGet();
                        queuedEventBytes.addAndGet(-next.message.remaining());
                    }
                    final ByteBuffer message = next.message.duplicate();
                    while (message.hasRemaining())
                    {
                        channel.write(message);
                    }
                    if (!next.event)
                    {
                        outstanding.release();
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
            output.add(CLOSE_MARKER);
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
            output.add(CLOSE_MARKER);
            outstanding.release(Integer.MAX_VALUE / 2); // wake a reader held by flow control, for good
            internalErrors.addAndGet(handler.internalErrors());
            oversizedEvents.addAndGet(handler.oversizedEvents());
            connections.remove(this);
        }
    }
}
