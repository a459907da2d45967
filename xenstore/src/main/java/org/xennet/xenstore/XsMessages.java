package org.xennet.xenstore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoding and payload parsing shared by the server and the client: NUL-separated strings as xenstored reads
 * them ({@code onearg}: one NUL-terminated string; {@code get_strings}: a list of NUL-terminated strings).
 */
final class XsMessages
{
    private static final byte NUL = 0;

    private XsMessages()
    {
    }

    /**
     * @param type    message type.
     * @param reqId   request id.
     * @param txId    transaction id.
     * @param payload at most {@link XsWire#PAYLOAD_MAX} bytes.
     * @return header and payload, ready to write (position 0).
     */
    static ByteBuffer encode(final int type, final int reqId, final int txId, final byte[] payload)
    {
        final ByteBuffer message = ByteBuffer.allocate(XsWire.HEADER_LENGTH + payload.length)
            .order(ByteOrder.nativeOrder());
        message.putInt(XsWire.TYPE_OFFSET, type)
            .putInt(XsWire.REQ_ID_OFFSET, reqId)
            .putInt(XsWire.TX_ID_OFFSET, txId)
            .putInt(XsWire.LEN_OFFSET, payload.length);
        message.position(XsWire.HEADER_LENGTH);
        message.put(payload);
        return message.flip();
    }

    /**
     * @param strings texts, each followed by a NUL.
     * @return {@code a\0b\0...} as bytes (ISO-8859-1: one byte per char, so opaque bytes round-trip).
     */
    static byte[] strings(final String... strings)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String string : strings)
        {
            out.writeBytes(string.getBytes(StandardCharsets.ISO_8859_1));
            out.write(NUL);
        }
        return out.toByteArray();
    }

    /**
     * @param payload the payload.
     * @return its single NUL-terminated string, or {@code null} if it is not exactly one (missing or extra NUL).
     */
    static String oneArg(final byte[] payload)
    {
        final List<String> args = args(payload);
        return args != null && args.size() == 1 ? args.get(0) : null;
    }

    /**
     * @param payload the payload.
     * @return its NUL-terminated strings, or {@code null} if it does not end with a NUL (or is empty).
     */
    static List<String> args(final byte[] payload)
    {
        if (payload.length == 0 || payload[payload.length - 1] != NUL)
        {
            return null;
        }
        final List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++)
        {
            if (payload[i] == NUL)
            {
                args.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return args;
    }

    /**
     * @param payload a payload that may end with one NUL.
     * @return the text before the first NUL (or all of it), decoded as ISO-8859-1.
     */
    static String text(final byte[] payload)
    {
        int end = 0;
        while (end < payload.length && payload[end] != NUL)
        {
            end++;
        }
        return new String(payload, 0, end, StandardCharsets.ISO_8859_1);
    }

    /**
     * Strict unsigned decimal, as the protocol's numbers are written (no sign, no spaces, at most 10 digits).
     *
     * @param text the text.
     * @return the value, or -1 when not a decimal number in 0..2^32-1.
     */
    static long decimal(final String text)
    {
        if (text.isEmpty() || text.length() > 10)
        {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 0xFFFF_FFFFL ? value : -1;
    }
}
