package org.xennet.core.offload;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * The Internet checksum (RFC 1071) over off-heap bytes: ones' complement sums of big-endian 16-bit words, carried
 * in a {@code long} and folded at the end; pseudo-headers of TCP/UDP over IPv4 and IPv6. Stateless, allocation-free.
 */
public final class InetChecksum
{
    private InetChecksum()
    {
    }

    /**
     * Adds bytes to a running sum (an odd trailing byte is padded with zero, as RFC 1071 says). Only an even-length
     * range may be followed by another one.
     *
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length byte count.
     * @param sum    the running sum.
     * @return the new running sum (unfolded).
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long sum)
    {
        long acc = sum;
        int i = offset;
        final int end = offset + length;
        while (end - i >= 4)
        {
            acc += buffer.getInt(i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL; // two words at once: folds the same
            i += 4;
        }
        if (end - i >= 2)
        {
            acc += buffer.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            acc += (buffer.getByte(i) & 0xFF) << 8;
        }
        return acc;
    }

    /**
     * Folds a running sum to 16 bits (not complemented).
     *
     * @param sum the running sum.
     * @return 0 .. 0xFFFF.
     */
    public static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    /**
     * The checksum of a range: the ones' complement of its folded sum.
     *
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length byte count.
     * @return the checksum (0 .. 0xFFFF).
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return ~fold(sum(buffer, offset, length, 0)) & 0xFFFF;
    }

    /**
     * Sum of the TCP/UDP pseudo-header over IPv4 (source, destination, protocol, L4 length).
     *
     * @param buffer   the frame.
     * @param ipOffset offset of the IPv4 header.
     * @param protocol IP protocol number.
     * @param l4Length bytes of L4 header and payload.
     * @return the running sum.
     */
    public static long pseudoHeaderV4(
        final DirectBuffer buffer, final int ipOffset, final int protocol, final int l4Length)
    {
        return sum(buffer, ipOffset + 12, 8, 0) + protocol + l4Length;
    }

    /**
     * Sum of the TCP/UDP pseudo-header over IPv6 (RFC 8200 8.1: source, destination, upper-layer length, next
     * header).
     *
     * @param buffer   the frame.
     * @param ipOffset offset of the IPv6 header.
     * @param protocol upper-layer protocol number.
     * @param l4Length bytes of L4 header and payload.
     * @return the running sum.
     */
    public static long pseudoHeaderV6(
        final DirectBuffer buffer, final int ipOffset, final int protocol, final int l4Length)
    {
        return sum(buffer, ipOffset + 8, 32, 0) + protocol + (l4Length >>> 16) + (l4Length & 0xFFFF);
    }
}
