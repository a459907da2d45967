package org.xennet.xenstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Splits a byte stream into {@code xsd_sockmsg} frames (16-byte header, then {@code len} payload bytes) without
 * trusting the peer: a header announcing more than {@link XsWire#PAYLOAD_MAX} bytes stops decoding
 * ({@link #OVERSIZED}); the stream cannot be resynchronised after that, so the caller answers {@code E2BIG} and
 * closes the connection. Fixed buffers: nothing is allocated per frame except the handed-out payload copy.
 */
final class XsFrameDecoder
{
    /** {@link #feed} result: all input consumed, frames delivered. */
    static final int OK = 0;
    /** {@link #feed} result: a header announced an oversized payload; see {@link #type()} etc. */
    static final int OVERSIZED = -1;

    /** Receives each complete frame. */
    @FunctionalInterface
    interface FrameHandler
    {
        /**
         * @param type    message type (u32 bits).
         * @param reqId   request id (u32 bits).
         * @param txId    transaction id (u32 bits).
         * @param payload exactly {@code len} bytes, owned by the handler.
         */
        void onFrame(int type, int reqId, int txId, byte[] payload);
    }

    // xs_wire travels in the host's byte order on a local socket: the struct is written as is.
    private final ByteBuffer header = ByteBuffer.allocate(XsWire.HEADER_LENGTH).order(ByteOrder.nativeOrder());
    private byte[] payload;
    private int payloadFill;
    private int type;
    private int reqId;
    private int txId;
    private long length = -1;

    /**
     * Consumes {@code in} and hands every frame completed by it to {@code handler}.
     *
     * @param in      bytes received.
     * @param handler frame receiver.
     * @return {@link #OK}, or {@link #OVERSIZED} (remaining input is left unread).
     */
    int feed(final ByteBuffer in, final FrameHandler handler)
    {
        while (in.hasRemaining())
        {
            if (length < 0)
            {
                while (in.hasRemaining() && header.hasRemaining())
                {
                    header.put(in.get());
                }
                if (header.hasRemaining())
                {
                    return OK;
                }
                type = header.getInt(XsWire.TYPE_OFFSET);
                reqId = header.getInt(XsWire.REQ_ID_OFFSET);
                txId = header.getInt(XsWire.TX_ID_OFFSET);
                length = Integer.toUnsignedLong(header.getInt(XsWire.LEN_OFFSET));
                header.clear();
                if (length > XsWire.PAYLOAD_MAX)
                {
                    return OVERSIZED;
                }
                payload = new byte[(int)length];
                payloadFill = 0;
            }
            final int take = Math.min(in.remaining(), payload.length - payloadFill);
            in.get(payload, payloadFill, take);
            payloadFill += take;
            if (payloadFill == payload.length)
            {
                length = -1;
                final byte[] frame = payload;
                payload = null;
                handler.onFrame(type, reqId, txId, frame);
            }
        }
        return OK;
    }

    /** @return the type of the last header read (for the E2BIG reply). */
    int type()
    {
        return type;
    }

    /** @return the req_id of the last header read. */
    int reqId()
    {
        return reqId;
    }

    /** @return the tx_id of the last header read. */
    int txId()
    {
        return txId;
    }

    /** @return the len of the last header read, unsigned. */
    long length()
    {
        return length;
    }
}
