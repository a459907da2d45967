package org.xennet.xenstore;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link XenStore} talking {@code io/xs_wire.h} to a xenstored over a UNIX domain socket (a
 * {@link XenStoreServer}, or any server that speaks the protocol on a socket).
 *
 * <p>One request is in flight at a time (requests are serialised by a lock, as libxenstore does). A reader
 * thread separates watch events ({@code XS_WATCH_EVENT}, {@code req_id} 0) from replies and hands events to
 * the listeners on an event thread of their own, so a listener may call this client. Events are routed by token
 * (and, when several watches share a token, to the one whose path contains the event's path): give each watch
 * its own token.
 */
public final class XenStoreClient implements XenStore
{
    /** How long a request waits for its reply by default. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);

    private static final Reply DISCONNECTED = new Reply(-1, 0, 0, new byte[0]);

    private final Path socketPath;
    private final SocketChannel channel;
    private final long replyTimeoutNanos;
    private final ReentrantLock requestLock = new ReentrantLock();
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final Map<WatchKey, WatchListener> watches = new ConcurrentHashMap<>();
    private final WatchDispatcher dispatcher = new WatchDispatcher("xenstore-client-events");
    private final Thread reader;
    private volatile boolean closed;
    private int nextReqId = 1;

    private XenStoreClient(final Path socketPath, final SocketChannel channel, final Duration replyTimeout)
    {
        this.socketPath = socketPath;
        this.channel = channel;
        this.replyTimeoutNanos = replyTimeout.toNanos();
        this.reader = new Thread(this::readLoop, "xenstore-client-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Connects to a xenstored socket.
     *
     * @param socketPath   the server's socket.
     * @param replyTimeout how long each request waits for its reply.
     * @return the connected client.
     * @throws IOException when the socket cannot be connected.
     */
    public static XenStoreClient connect(final Path socketPath, final Duration replyTimeout) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            channel.connect(UnixDomainSocketAddress.of(socketPath));
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        final XenStoreClient client = new XenStoreClient(socketPath, channel, replyTimeout);
        client.reader.start();
        return client;
    }

    /**
     * Connects with {@link #DEFAULT_REPLY_TIMEOUT}.
     *
     * @param socketPath the server's socket.
     * @return the connected client.
     * @throws IOException when the socket cannot be connected.
     */
    public static XenStoreClient connect(final Path socketPath) throws IOException
    {
        return connect(socketPath, DEFAULT_REPLY_TIMEOUT);
    }

    /** @return the socket this client is connected to. */
    public Path socketPath()
    {
        return socketPath;
    }

    /** {@inheritDoc} */
    @Override
    public byte[] read(final int txId, final String path)
    {
        return request(XsMessageType.READ, txId, utf8(path, true), path);
    }

    /** {@inheritDoc} */
    @Override
    public void write(final int txId, final String path, final byte[] value)
    {
        final byte[] pathBytes = utf8(path, true);
        final byte[] payload = new byte[pathBytes.length + value.length];
        System.arraycopy(pathBytes, 0, payload, 0, pathBytes.length);
        System.arraycopy(value, 0, payload, pathBytes.length, value.length);
        request(XsMessageType.WRITE, txId, payload, path);
    }

    /** {@inheritDoc} */
    @Override
    public void mkdir(final int txId, final String path)
    {
        request(XsMessageType.MKDIR, txId, utf8(path, true), path);
    }

    /** {@inheritDoc} */
    @Override
    public void rm(final int txId, final String path)
    {
        request(XsMessageType.RM, txId, utf8(path, true), path);
    }

    /** {@inheritDoc} */
    @Override
    public List<String> directory(final int txId, final String path)
    {
        try
        {
            return split(request(XsMessageType.DIRECTORY, txId, utf8(path, true), path));
        }
        catch (final XenStoreException ex)
        {
            if (ex.error() != XsError.E2BIG)
            {
                throw ex;
            }
        }
        return directoryInParts(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public List<XsPermission> getPermissions(final int txId, final String path)
    {
        final List<XsPermission> perms = new ArrayList<>();
        for (final String text : split(request(XsMessageType.GET_PERMS, txId, utf8(path, true), path)))
        {
            perms.add(XsPermission.parse(text));
        }
        return List.copyOf(perms);
    }

    /** {@inheritDoc} */
    @Override
    public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
    {
        checkNoNul(path, path);
        final StringBuilder payload = new StringBuilder(path).append('\0');
        for (final XsPermission perm : permissions)
        {
            payload.append(perm).append('\0');
        }
        request(XsMessageType.SET_PERMS, txId, payload.toString().getBytes(StandardCharsets.UTF_8), path);
    }

    /** {@inheritDoc} */
    @Override
    public int transactionStart()
    {
        final String id = text(request(XsMessageType.TRANSACTION_START, NO_TRANSACTION, new byte[] {0}, ""));
        final long txId = XsMessages.decimal(id);
        if (txId <= 0)
        {
            throw new XenStoreException(XsError.EIO, "xenstored sent a bad transaction id: id=" + id);
        }
        return (int)txId;
    }

    /** {@inheritDoc} */
    @Override
    public boolean transactionEnd(final int txId, final boolean commit)
    {
        try
        {
            request(XsMessageType.TRANSACTION_END, txId, utf8(commit ? "T" : "F", true), "");
            return true;
        }
        catch (final XenStoreException ex)
        {
            if (ex.error() == XsError.EAGAIN)
            {
                return false;
            }
            throw ex;
        }
    }

    /** {@inheritDoc} */
    @Override
    public void watch(final String path, final String token, final WatchListener listener)
    {
        final WatchKey key = new WatchKey(path, token);
        // registered before asking, so the initial event that follows the reply finds its listener
        if (watches.putIfAbsent(key, listener) != null)
        {
            throw new XenStoreException(XsError.EEXIST, "xenstore watch exists: path=" + path + ", token=" + token);
        }
        try
        {
            request(XsMessageType.WATCH, NO_TRANSACTION, watchPayload(path, token), path);
        }
        catch (final RuntimeException ex)
        {
            watches.remove(key, listener);
            throw ex;
        }
    }

    /** {@inheritDoc} */
    @Override
    public void unwatch(final String path, final String token)
    {
        request(XsMessageType.UNWATCH, NO_TRANSACTION, watchPayload(path, token), path);
        watches.remove(new WatchKey(path, token));
    }

    /**
     * Closes the connection; the server drops this client's watches and transactions. Idempotent.
     */
    @Override
    public void close()
    {
        closed = true;
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // nothing more to release
        }
        dispatcher.close();
        replies.offer(DISCONNECTED);
    }

    private List<String> directoryInParts(final int txId, final String path)
    {
        final List<String> children = new ArrayList<>();
        String generation = null;
        int offset = 0;
        while (true)
        {
            final byte[] chunk = request(XsMessageType.DIRECTORY_PART, txId,
                (path + '\0' + offset + '\0').getBytes(StandardCharsets.UTF_8), path);
            final List<String> strings = split(chunk);
            if (strings.isEmpty())
            {
                throw new XenStoreException(XsError.EIO, "xenstored sent an empty directory part: path=" + path);
            }
            if (generation != null && !generation.equals(strings.get(0)))
            {
                // the directory changed between chunks: start over, as libxenstore does
                children.clear();
                generation = null;
                offset = 0;
                continue;
            }
            generation = strings.get(0);
            for (final String child : strings.subList(1, strings.size()))
            {
                if (child.isEmpty())
                {
                    return List.copyOf(children); // an empty string terminates the last chunk
                }
                children.add(child);
                offset += child.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
    }

    private byte[] request(final int type, final int txId, final byte[] payload, final String path)
    {
        if (payload.length > XsWire.PAYLOAD_MAX)
        {
            throw new XenStoreException(XsError.E2BIG, "xenstore request too big: type=" + XsMessageType.name(type) +
                ", length=" + payload.length);
        }
        requestLock.lock();
        try
        {
            if (closed)
            {
                throw new XenStoreException(XsError.EIO, "xenstore client closed: socket=" + socketPath);
            }
            int reqId = nextReqId++;
            if (reqId == 0)
            {
                reqId = nextReqId++; // after wrap-around: 0 is what watch events carry
            }
            final ByteBuffer message = XsMessages.encode(type, reqId, txId, payload);
            while (message.hasRemaining())
            {
                channel.write(message);
            }
            final Reply reply = replies.poll(replyTimeoutNanos, TimeUnit.NANOSECONDS);
            if (reply == null || reply == DISCONNECTED)
            {
                close();
                throw new XenStoreException(XsError.EIO, (reply == null ? "xenstore reply timed out" :
                    "xenstored closed the connection") + ": type=" + XsMessageType.name(type) + ", path=" + path);
            }
            if (reply.reqId != reqId)
            {
                close();
                throw new XenStoreException(XsError.EIO, "xenstore reply for another request: expected=" + reqId +
                    ", got=" + Integer.toUnsignedString(reply.reqId));
            }
            if (reply.type == XsMessageType.ERROR)
            {
                throw new XenStoreException(XsError.fromName(text(reply.payload)), "xenstore " +
                    XsMessageType.name(type).toLowerCase(java.util.Locale.ROOT) + " failed: path=" + path);
            }
            return reply.payload;
        }
        catch (final IOException ex)
        {
            close();
            throw new XenStoreException(XsError.EIO, "xenstore connection failed: socket=" + socketPath, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            close(); // the reply is still coming: the stream can no longer be matched to requests
            throw new XenStoreException(XsError.EIO, "interrupted waiting for xenstore reply: path=" + path, ex);
        }
        finally
        {
            requestLock.unlock();
        }
    }

    private void readLoop()
    {
        final ByteBuffer header = ByteBuffer.allocate(XsWire.HEADER_LENGTH).order(ByteOrder.nativeOrder());
        try
        {
            while (true)
            {
                header.clear();
                readFully(header);
                final long length = Integer.toUnsignedLong(header.getInt(XsWire.LEN_OFFSET));
                if (length > XsWire.PAYLOAD_MAX)
                {
                    break; // never trust the server either: an oversized frame ends the connection
                }
                final ByteBuffer payload = ByteBuffer.allocate((int)length);
                readFully(payload);
                final int type = header.getInt(XsWire.TYPE_OFFSET);
                if (type == XsMessageType.WATCH_EVENT)
                {
                    dispatchEvent(payload.array());
                }
                else
                {
                    replies.offer(new Reply(type, header.getInt(XsWire.REQ_ID_OFFSET),
                        header.getInt(XsWire.TX_ID_OFFSET), payload.array()));
                }
            }
        }
        catch (final IOException ex)
        {
            // connection closed
        }
        closed = true;
        replies.offer(DISCONNECTED);
    }

    private void readFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("xenstored closed the connection");
            }
        }
    }

    private void dispatchEvent(final byte[] payload)
    {
        final List<String> args = XsMessages.args(payload);
        if (args == null || args.size() < 2)
        {
            return; // malformed event: nothing to route it by
        }
        final String path = new String(args.get(XsWire.WATCH_PATH).getBytes(StandardCharsets.ISO_8859_1),
            StandardCharsets.UTF_8);
        final String token = new String(args.get(XsWire.WATCH_TOKEN).getBytes(StandardCharsets.ISO_8859_1),
            StandardCharsets.UTF_8);
        WatchListener match = null;
        for (final Map.Entry<WatchKey, WatchListener> entry : watches.entrySet())
        {
            final WatchKey key = entry.getKey();
            if (key.token.equals(token))
            {
                if (match == null || path.startsWith(key.path))
                {
                    match = entry.getValue();
                }
            }
        }
        if (match != null)
        {
            final WatchListener listener = match;
            dispatcher.execute(() -> listener.onWatchEvent(path, token));
        }
    }

    private static byte[] watchPayload(final String path, final String token)
    {
        checkNoNul(token, token);
        checkNoNul(path, path);
        return (path + '\0' + token + '\0').getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(final String text, final boolean nul)
    {
        checkNoNul(text, text);
        return (nul ? text + '\0' : text).getBytes(StandardCharsets.UTF_8);
    }

    /** A NUL inside a string would split it into two protocol arguments: refuse it as the server would. */
    private static void checkNoNul(final String text, final String what)
    {
        if (text.indexOf('\0') >= 0)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore argument contains NUL: value=" +
                what.replace('\0', '?'));
        }
    }

    private static String text(final byte[] payload)
    {
        return XsMessages.text(payload);
    }

    private static List<String> split(final byte[] payload)
    {
        final List<String> strings = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++)
        {
            if (payload[i] == 0)
            {
                strings.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return List.copyOf(strings);
    }

    private record Reply(int type, int reqId, int txId, byte[] payload)
    {
    }

    private record WatchKey(String path, String token)
    {
    }
}
