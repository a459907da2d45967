package org.xennet.xenstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of one xs_wire connection, independent of the socket: answers each decoded request from an
 * {@link InMemoryXenStore} session and queues the reply (and any watch events) on an {@link Output}.
 *
 * <p>Every request is handled while holding the store's lock, so its reply is queued before any watch event a
 * later change could queue (the initial {@code XS_WATCH_EVENT} follows the {@code XS_WATCH} reply at once, as
 * xenstored does). A malformed request gets an {@code XS_ERROR} reply and changes nothing.
 */
final class XsRequestHandler implements XsFrameDecoder.FrameHandler, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(XsRequestHandler.class.getName());
    private static final byte[] OK = XsMessages.strings("OK");

    /** Where replies and events go; must not block (it is called with the store's lock held). */
    @FunctionalInterface
    interface Output
    {
        /**
         * @param message a complete message.
         * @return {@code false} when the connection cannot take more (it will be closed).
         */
        boolean send(ByteBuffer message);
    }

    private final InMemoryXenStore store;
    private final InMemoryXenStore.Session session;
    private final Output output;
    private boolean overflowed;
    private long internalErrors;

    XsRequestHandler(final InMemoryXenStore store, final InMemoryXenStore.Session session, final Output output)
    {
        this.store = store;
        this.session = session;
        this.output = output;
    }

    /** @return whether the output refused a message (the connection must be closed). */
    boolean overflowed()
    {
        return overflowed;
    }

    /** @return how many requests hit an unexpected exception (a bug; answered with EIO). */
    long internalErrors()
    {
        return internalErrors;
    }

    @Override
    public void onFrame(final int type, final int reqId, final int txId, final byte[] payload)
    {
        store.locked(() ->
        {
            try
            {
                handle(type, reqId, txId, payload);
            }
            catch (final XenStoreException ex)
            {
                sendError(type, reqId, txId, ex.error());
            }
            catch (final RuntimeException ex)
            {
                internalErrors++;
                LOG.log(System.Logger.Level.ERROR, "xenstore request failed: type=" + XsMessageType.name(type), ex);
                sendError(type, reqId, txId, XsError.EIO);
            }
        });
    }

    /**
     * Answers a header that announced an oversized payload ({@code E2BIG}); the caller then closes.
     */
    void onOversized(final int type, final int reqId, final int txId)
    {
        store.locked(() -> sendError(type, reqId, txId, XsError.E2BIG));
    }

    @Override
    public void close()
    {
        session.close();
    }

    private void handle(final int type, final int reqId, final int txId, final byte[] payload)
    {
        switch (type)
        {
            case XsMessageType.READ -> reply(type, reqId, txId, session.read(txId, path(payload)));
            case XsMessageType.WRITE -> write(reqId, txId, payload);
            case XsMessageType.MKDIR ->
            {
                session.mkdir(txId, path(payload));
                reply(type, reqId, txId, OK);
            }
            case XsMessageType.RM ->
            {
                session.rm(txId, path(payload));
                reply(type, reqId, txId, OK);
            }
            case XsMessageType.DIRECTORY ->
                reply(type, reqId, txId, XsMessages.strings(session.directory(txId, path(payload))
                    .toArray(new String[0])));
            case XsMessageType.DIRECTORY_PART -> directoryPart(reqId, txId, payload);
            case XsMessageType.GET_PERMS -> getPerms(reqId, txId, payload);
            case XsMessageType.SET_PERMS -> setPerms(reqId, txId, payload);
            case XsMessageType.WATCH -> watch(reqId, txId, payload);
            case XsMessageType.UNWATCH ->
            {
                final List<String> args = exactArgs(payload, 2);
                session.unwatch(args.get(XsWire.WATCH_PATH), args.get(XsWire.WATCH_TOKEN));
                reply(type, reqId, txId, OK);
            }
            case XsMessageType.TRANSACTION_START -> transactionStart(reqId, txId, payload);
            case XsMessageType.TRANSACTION_END -> transactionEnd(reqId, txId, payload);
            case XsMessageType.GET_DOMAIN_PATH ->
                reply(type, reqId, txId, XsMessages.strings(XsPath.home(domid(payload))));
            case XsMessageType.IS_DOMAIN_INTRODUCED ->
                reply(type, reqId, txId, XsMessages.strings(domid(payload) == 0 ? "T" : "F"));
            case XsMessageType.RESET_WATCHES ->
            {
                session.resetWatches();
                reply(type, reqId, txId, OK);
            }
            case XsMessageType.CONTROL, XsMessageType.INTRODUCE, XsMessageType.RELEASE, XsMessageType.RESUME,
                XsMessageType.SET_TARGET -> throw new XenStoreException(XsError.ENOSYS,
                "xenstore request not supported without a hypervisor: type=" + XsMessageType.name(type));
            default -> throw new XenStoreException(XsError.EINVAL,
                "unknown xenstore request: type=" + XsMessageType.name(type));
        }
    }

    private void write(final int reqId, final int txId, final byte[] payload)
    {
        int nul = 0;
        while (nul < payload.length && payload[nul] != 0)
        {
            nul++;
        }
        if (nul == payload.length)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore write without NUL after the path");
        }
        final String path = new String(payload, 0, nul, StandardCharsets.ISO_8859_1);
        final byte[] value = java.util.Arrays.copyOfRange(payload, nul + 1, payload.length);
        session.write(txId, path, value);
        reply(XsMessageType.WRITE, reqId, txId, OK);
    }

    private void directoryPart(final int reqId, final int txId, final byte[] payload)
    {
        final List<String> args = exactArgs(payload, 2);
        final long offset = XsMessages.decimal(args.get(1));
        if (offset < 0)
        {
            throw new XenStoreException(XsError.EINVAL, "bad xenstore directory offset: offset=" + args.get(1));
        }
        final byte[] children = XsMessages.strings(session.directory(txId, args.get(0)).toArray(new String[0]));
        // The generation lets the client notice the list changed between chunks: a digest of the list will do.
        final byte[] generation = XsMessages.strings(Integer.toUnsignedString(java.util.Arrays.hashCode(children)));
        if (offset > children.length)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore directory offset past end: offset=" + offset);
        }
        int end = (int)offset;
        while (end < children.length)
        {
            int next = end;
            while (children[next] != 0)
            {
                next++;
            }
            if (generation.length + next + 1 - offset + 1 > XsWire.PAYLOAD_MAX)
            {
                break;
            }
            end = next + 1;
        }
        if (end == offset && end < children.length)
        {
            throw new XenStoreException(XsError.E2BIG, "xenstore child name too long for a chunk");
        }
        final boolean last = end == children.length;
        final byte[] chunk = new byte[generation.length + (end - (int)offset) + (last ? 1 : 0)];
        System.arraycopy(generation, 0, chunk, 0, generation.length);
        System.arraycopy(children, (int)offset, chunk, generation.length, end - (int)offset);
        reply(XsMessageType.DIRECTORY_PART, reqId, txId, chunk); // a final empty string marks the end
    }

    private void getPerms(final int reqId, final int txId, final byte[] payload)
    {
        final List<String> perms = new ArrayList<>();
        for (final XsPermission perm : session.getPermissions(txId, path(payload)))
        {
            perms.add(perm.toString());
        }
        reply(XsMessageType.GET_PERMS, reqId, txId, XsMessages.strings(perms.toArray(new String[0])));
    }

    private void setPerms(final int reqId, final int txId, final byte[] payload)
    {
        final List<String> args = XsMessages.args(payload);
        if (args == null || args.size() < 2)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore set-perms needs a path and permissions");
        }
        final List<XsPermission> perms = new ArrayList<>();
        for (final String text : args.subList(1, args.size()))
        {
            perms.add(XsPermission.parse(text));
        }
        session.setPermissions(txId, args.get(0), perms);
        reply(XsMessageType.SET_PERMS, reqId, txId, OK);
    }

    private void watch(final int reqId, final int txId, final byte[] payload)
    {
        final List<String> args = exactArgs(payload, 2);
        final String path = args.get(XsWire.WATCH_PATH);
        final String token = args.get(XsWire.WATCH_TOKEN);
        session.addWatch(path, token, this::sendEvent, false);
        reply(XsMessageType.WATCH, reqId, txId, OK);
        sendEvent(path, token); // xenstored fires every new watch once, right after the reply
    }

    private void transactionStart(final int reqId, final int txId, final byte[] payload)
    {
        if (XsMessages.args(payload) == null)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore transaction start without NUL");
        }
        if (txId != XenStore.NO_TRANSACTION)
        {
            throw new XenStoreException(XsError.EBUSY, "xenstore transaction inside a transaction: txId=" + txId);
        }
        final int id = session.transactionStart();
        reply(XsMessageType.TRANSACTION_START, reqId, txId, XsMessages.strings(Integer.toUnsignedString(id)));
    }

    private void transactionEnd(final int reqId, final int txId, final byte[] payload)
    {
        final String arg = XsMessages.oneArg(payload);
        if (!"T".equals(arg) && !"F".equals(arg))
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore transaction end needs T or F");
        }
        if (!session.transactionEnd(txId, arg.equals("T")))
        {
            throw new XenStoreException(XsError.EAGAIN, "xenstore transaction conflicted: txId=" + txId);
        }
        reply(XsMessageType.TRANSACTION_END, reqId, txId, OK);
    }

    private static String path(final byte[] payload)
    {
        final String path = XsMessages.oneArg(payload);
        if (path == null)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore request needs one NUL-terminated path");
        }
        return path;
    }

    private static int domid(final byte[] payload)
    {
        final String text = XsMessages.oneArg(payload);
        final long domid = text == null ? -1 : XsMessages.decimal(text);
        if (domid < 0 || domid > XsPermission.DOMID_MAX)
        {
            throw new XenStoreException(XsError.EINVAL, "bad xenstore domid");
        }
        return (int)domid;
    }

    private static List<String> exactArgs(final byte[] payload, final int count)
    {
        final List<String> args = XsMessages.args(payload);
        if (args == null || args.size() != count)
        {
            throw new XenStoreException(XsError.EINVAL, "xenstore request needs " + count + " NUL-terminated strings");
        }
        return args;
    }

    private void sendEvent(final String path, final String token)
    {
        send(XsMessages.encode(XsMessageType.WATCH_EVENT, 0, 0, XsMessages.strings(path, token)));
    }

    private void sendError(final int type, final int reqId, final int txId, final XsError error)
    {
        send(XsMessages.encode(XsMessageType.ERROR, reqId, txId, XsMessages.strings(error.name())));
    }

    private void reply(final int type, final int reqId, final int txId, final byte[] payload)
    {
        if (payload.length > XsWire.PAYLOAD_MAX)
        {
            throw new XenStoreException(XsError.E2BIG, "xenstore reply too big: length=" + payload.length);
        }
        send(XsMessages.encode(type, reqId, txId, payload));
    }

    private void send(final ByteBuffer message)
    {
        if (!overflowed && !output.send(message))
        {
            overflowed = true;
        }
    }
}
