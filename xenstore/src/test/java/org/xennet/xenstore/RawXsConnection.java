package org.xennet.xenstore;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A test-side raw xs_wire connection: sends arbitrary bytes and reads whole messages, with timeouts.
 */
final class RawXsConnection implements AutoCloseable
{
    /** One message as received. */
    record Message(int type, int reqId, int txId, byte[] payload)
    {
        String text()
        {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    private final SocketChannel channel;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "raw-xs-reader");
        thread.setDaemon(true);
        return thread;
    });

    RawXsConnection(final Path socket) throws IOException
    {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    static byte[] frame(final int type, final int reqId, final int txId, final byte[] payload)
    {
        final ByteBuffer message = XsMessages.encode(type, reqId, txId, payload);
        final byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        return bytes;
    }

    static byte[] header(final int type, final int reqId, final int txId, final int len)
    {
        final ByteBuffer header = ByteBuffer.allocate(XsWire.HEADER_LENGTH).order(ByteOrder.nativeOrder());
        header.putInt(type).putInt(reqId).putInt(txId).putInt(len);
        return header.array();
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    void send(final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    Message request(final int type, final int reqId, final int txId, final String payload) throws Exception
    {
        send(frame(type, reqId, txId, bytes(payload)));
        return receive();
    }

    /** @return the next message, or {@code null} when the server closed the connection. */
    Message receive() throws Exception
    {
        final Future<Message> next = reader.submit(this::readMessage);
        try
        {
            return next.get(30, TimeUnit.SECONDS); // bounds a hang only
        }
        catch (final TimeoutException ex)
        {
            next.cancel(true);
            throw new AssertionError("no message from xenstored within 30 s", ex);
        }
    }

    private Message readMessage() throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(XsWire.HEADER_LENGTH).order(ByteOrder.nativeOrder());
        if (!readFully(header))
        {
            return null;
        }
        final ByteBuffer payload = ByteBuffer.allocate(header.getInt(XsWire.LEN_OFFSET));
        if (!readFully(payload))
        {
            return null;
        }
        return new Message(header.getInt(XsWire.TYPE_OFFSET), header.getInt(XsWire.REQ_ID_OFFSET),
            header.getInt(XsWire.TX_ID_OFFSET), payload.array());
    }

    private boolean readFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException
    {
        reader.shutdownNow();
        channel.close();
    }
}
