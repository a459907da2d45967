package org.xennet.core.offload;

import java.nio.ByteOrder;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.rings.netif.NetifConstants;

/**
 * Software GSO for TCP over IPv4 and IPv6, as Linux's {@code skb_segment}/{@code tcp_gso_segment} do it for a device
 * without TSO: each segment gets the headers with its own IPv4 total length, id (+1 per segment) and header
 * checksum, or IPv6 payload length; its own sequence number; FIN and PSH only on the last segment, CWR only on the
 * first; and a full TCP checksum. A non-GSO frame with a blank checksum is completed the same way.
 * <p>
 * One instance per thread: it owns one segment-sized scratch buffer. Allocation-free after construction.
 */
public final class TcpSegmenter
{
    /** The frame's headers do not parse as TCP over IPv4/IPv6 (or a GSO type that does not match the IP version). */
    public static final int NOT_TCP = -10;
    /** The MSS is 0, or a segment would exceed 65535 bytes. */
    public static final int BAD_GSO_SIZE = -11;

    /** Largest frame a segment (or a completed non-GSO frame) may have: 64 KiB plus an Ethernet header and tag. */
    public static final int MAX_FRAME = NetifConstants.MAX_TX_SIZE + 18;

    private static final int TCP_FLAG_FIN = 0x01;
    private static final int TCP_FLAG_PSH = 0x08;
    private static final int TCP_FLAG_CWR = 0x80;

    private final PacketHeaders headers = new PacketHeaders();
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
        org.agrona.BitUtil.align(MAX_FRAME, 64), 64));

    /**
     * How many segments a GSO frame becomes (1 for a frame that is not GSO or fits one MSS).
     *
     * @param buffer the frame.
     * @param offset its first byte.
     * @param length its length.
     * @param info   its offload metadata.
     * @return the count (&ge; 1) or a negative code.
     */
    public int segmentCount(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info)
    {
        final int rc = parseTcp(buffer, offset, length, info);
        if (rc != PacketHeaders.OK)
        {
            return rc;
        }
        final int payload = headers.l3End() - headers.headerLength();
        final int mss = info.isGso() ? info.gsoSize() : Math.max(payload, 1);
        return Math.max(1, (payload + mss - 1) / mss);
    }

    private int parseTcp(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info)
    {
        final int rc = headers.parse(buffer, offset, length);
        if (rc == PacketHeaders.OK && info.isGso())
        {
            if (headers.protocol() != PacketHeaders.IPPROTO_TCP ||
                headers.ipVersion() != (info.gsoType() == NetifConstants.GSO_TYPE_TCPV4 ? 4 : 6))
            {
                return NOT_TCP;
            }
            if (info.gsoSize() < 1 || headers.headerLength() + info.gsoSize() > MAX_FRAME)
            {
                return BAD_GSO_SIZE;
            }
        }
        return rc == PacketHeaders.OK ? rc : rc == PacketHeaders.NOT_TCP_UDP ? NOT_TCP : rc;
    }

    /**
     * Splits a GSO frame into MSS-sized frames with full checksums, or completes the checksum of a frame that is
     * not GSO, handing each frame to {@code consumer}. The source is not changed.
     *
     * @param buffer   the frame.
     * @param offset   its first byte.
     * @param length   its length (at most {@link #MAX_FRAME}).
     * @param info     its offload metadata.
     * @param consumer takes each frame; a negative return stops the split and is returned.
     * @return frames produced (&ge; 1), a negative code of this class or {@link PacketHeaders}, or the consumer's
     *         negative result.
     */
    public int segment(
        final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info,
        final FrameConsumer consumer)
    {
        if (length > MAX_FRAME)
        {
            return BAD_GSO_SIZE;
        }
        final int rc = parseTcp(buffer, offset, length, info);
        if (rc != PacketHeaders.OK)
        {
            return rc;
        }
        final int headerLength = headers.headerLength();
        final int end = headers.l3End();
        final int payload = end - headerLength;
        if (!info.isGso() || payload <= info.gsoSize())
        {
            scratch.putBytes(0, buffer, offset, end); // Ethernet padding dropped: the length is the IP packet's
            headers.completeChecksum(scratch, 0, end);
            final int consumed = consumer.onFrame(scratch, 0, end);
            return consumed < 0 ? consumed : 1;
        }
        final int mss = info.gsoSize();
        final int l3 = headers.l3Offset();
        final int l4 = headers.l4Offset();
        final boolean v4 = headers.ipVersion() == 4;
        final int ipId = v4 ? buffer.getShort(offset + l3 + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF : 0;
        final int seq = buffer.getInt(offset + l4 + 4, ByteOrder.BIG_ENDIAN);
        final int tcpFlags = buffer.getByte(offset + l4 + 13) & 0xFF;
        int segments = 0;
        for (int position = headerLength; position < end; position += mss)
        {
            final int size = Math.min(mss, end - position);
            final boolean first = position == headerLength;
            final boolean last = position + size == end;
            scratch.putBytes(0, buffer, offset, headerLength);
            scratch.putBytes(headerLength, buffer, offset + position, size);
            final int frameLength = headerLength + size;
            if (v4)
            {
                scratch.putShort(l3 + 2, (short)(frameLength - l3), ByteOrder.BIG_ENDIAN);
                scratch.putShort(l3 + 4, (short)(ipId + segments), ByteOrder.BIG_ENDIAN);
                scratch.putShort(l3 + 10, (short)0);
                scratch.putShort(l3 + 10, (short)InetChecksum.checksum(scratch, l3, l4 - l3), ByteOrder.BIG_ENDIAN);
            }
            else
            {
                scratch.putShort(l3 + 4, (short)(frameLength - l3 - 40), ByteOrder.BIG_ENDIAN);
            }
            scratch.putInt(l4 + 4, seq + (position - headerLength), ByteOrder.BIG_ENDIAN);
            int flags = tcpFlags;
            if (!last)
            {
                flags &= ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
            }
            if (!first)
            {
                flags &= ~TCP_FLAG_CWR;
            }
            scratch.putByte(l4 + 13, (byte)flags);
            final int l4Length = frameLength - l4;
            scratch.putShort(l4 + PacketHeaders.TCP_CSUM_OFFSET, (short)0);
            final int csum = ~InetChecksum.fold(InetChecksum.sum(scratch, l4, l4Length,
                headers.pseudoHeader(scratch, 0, l4Length))) & 0xFFFF;
            scratch.putShort(l4 + PacketHeaders.TCP_CSUM_OFFSET, (short)csum, ByteOrder.BIG_ENDIAN);
            final int consumed = consumer.onFrame(scratch, 0, frameLength);
            if (consumed < 0)
            {
                return consumed;
            }
            segments++;
        }
        return segments;
    }

    /**
     * Names a result.
     *
     * @param result a result of {@link #segment} or {@link #segmentCount}.
     * @return its name.
     */
    public static String resultString(final int result)
    {
        if (result >= 0)
        {
            return "SEGMENTS(" + result + ")";
        }
        return result == NOT_TCP ? "NOT_TCP" : result == BAD_GSO_SIZE ? "BAD_GSO_SIZE" :
            PacketHeaders.resultString(result);
    }
}
