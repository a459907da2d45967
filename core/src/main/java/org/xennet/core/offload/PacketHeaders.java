package org.xennet.core.offload;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A reusable parse of an Ethernet frame's headers down to TCP or UDP (one 802.1Q tag, IPv4 options, IPv6 hop-by-hop,
 * routing and destination-options headers), and the checksum work that needs it: finding csum_start/csum_offset of a
 * packet that arrived with a blank checksum (Linux {@code skb_checksum_setup}), rewriting the pseudo-header sum
 * into the field (its "recalculate" mode), and completing or verifying the checksum.
 * <p>
 * Never trusts the bytes: every length is checked against the frame; a result code says what was wrong.
 */
public final class PacketHeaders
{
    /** Parsed: TCP or UDP over IPv4/IPv6. */
    public static final int OK = 0;
    /** The frame ends inside a header. */
    public static final int TRUNCATED = -1;
    /** Not IPv4 or IPv6 (or a bad version nibble). */
    public static final int NOT_IP = -2;
    /** IP, but the transport is not TCP or UDP (or an extension header we do not walk). */
    public static final int NOT_TCP_UDP = -3;
    /** An IP fragment: no L4 checksum can be computed over it. */
    public static final int FRAGMENT = -4;
    /** A length field is inconsistent (IHL &lt; 5, TCP data offset &lt; 5, IP length beyond the frame). */
    public static final int BAD_HEADER = -5;

    /** IP protocol number of TCP. */
    public static final int IPPROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int IPPROTO_UDP = 17;
    /** Offset of the checksum field in a TCP header. */
    public static final int TCP_CSUM_OFFSET = 16;
    /** Offset of the checksum field in a UDP header. */
    public static final int UDP_CSUM_OFFSET = 6;

    private static final int ETH_HLEN = 14;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86DD;
    private static final int ETH_P_8021Q = 0x8100;

    private int ipVersion;
    private int l3Offset;
    private int l4Offset;
    private int protocol;
    private int l4HeaderLength;
    private int l3End; // end of the IP packet (frame minus Ethernet padding)

    /**
     * Parses a frame.
     *
     * @param buffer the frame.
     * @param offset its first byte.
     * @param length its length.
     * @return {@link #OK} or a negative code ({@link #resultString}).
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length)
    {
        ipVersion = 0;
        if (length < ETH_HLEN)
        {
            return TRUNCATED;
        }
        int l3 = ETH_HLEN;
        int etherType = buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (etherType == ETH_P_8021Q)
        {
            if (length < ETH_HLEN + 4)
            {
                return TRUNCATED;
            }
            etherType = buffer.getShort(offset + 16, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            l3 += 4;
        }
        l3Offset = l3;
        if (etherType == ETH_P_IP)
        {
            return parseV4(buffer, offset, length, l3);
        }
        if (etherType == ETH_P_IPV6)
        {
            return parseV6(buffer, offset, length, l3);
        }
        return NOT_IP;
    }

    private int parseV4(final DirectBuffer buffer, final int offset, final int length, final int l3)
    {
        if (length < l3 + 20)
        {
            return TRUNCATED;
        }
        final int versionIhl = buffer.getByte(offset + l3) & 0xFF;
        final int ihl = (versionIhl & 0xF) * 4;
        final int totalLength = buffer.getShort(offset + l3 + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if ((versionIhl >>> 4) != 4)
        {
            return NOT_IP;
        }
        if (ihl < 20 || totalLength < ihl || l3 + totalLength > length)
        {
            return BAD_HEADER;
        }
        final int fragment = buffer.getShort(offset + l3 + 6, ByteOrder.BIG_ENDIAN) & 0x3FFF; // MF + offset
        if (fragment != 0)
        {
            return FRAGMENT;
        }
        ipVersion = 4;
        l3End = l3 + totalLength;
        return parseL4(buffer, offset, buffer.getByte(offset + l3 + 9) & 0xFF, l3 + ihl);
    }

    private int parseV6(final DirectBuffer buffer, final int offset, final int length, final int l3)
    {
        if (length < l3 + 40)
        {
            return TRUNCATED;
        }
        if (((buffer.getByte(offset + l3) & 0xFF) >>> 4) != 6)
        {
            return NOT_IP;
        }
        final int payloadLength = buffer.getShort(offset + l3 + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (l3 + 40 + payloadLength > length)
        {
            return BAD_HEADER;
        }
        l3End = l3 + 40 + payloadLength;
        int next = buffer.getByte(offset + l3 + 6) & 0xFF;
        int position = l3 + 40;
        for (int hops = 0; hops < 8; hops++)
        {
            if (next == 0 || next == 43 || next == 60) // hop-by-hop, routing, destination options
            {
                if (position + 8 > l3End)
                {
                    return TRUNCATED;
                }
                next = buffer.getByte(offset + position) & 0xFF;
                position += ((buffer.getByte(offset + position + 1) & 0xFF) + 1) * 8;
                continue;
            }
            if (next == 44)
            {
                return FRAGMENT;
            }
            ipVersion = 6;
            return parseL4(buffer, offset, next, position);
        }
        return NOT_TCP_UDP;
    }

    private int parseL4(final DirectBuffer buffer, final int offset, final int proto, final int l4)
    {
        protocol = proto;
        l4Offset = l4;
        if (proto == IPPROTO_TCP)
        {
            if (l4 + 20 > l3End)
            {
                return TRUNCATED;
            }
            final int dataOffset = ((buffer.getByte(offset + l4 + 12) & 0xFF) >>> 4) * 4;
            if (dataOffset < 20 || l4 + dataOffset > l3End)
            {
                return BAD_HEADER;
            }
            l4HeaderLength = dataOffset;
            return OK;
        }
        if (proto == IPPROTO_UDP)
        {
            if (l4 + 8 > l3End)
            {
                return TRUNCATED;
            }
            l4HeaderLength = 8;
            return OK;
        }
        return NOT_TCP_UDP;
    }

    /** @return 4 or 6 after a successful parse. */
    public int ipVersion()
    {
        return ipVersion;
    }

    /** @return offset of the IP header from the frame's first byte. */
    public int l3Offset()
    {
        return l3Offset;
    }

    /** @return offset of the TCP/UDP header from the frame's first byte. */
    public int l4Offset()
    {
        return l4Offset;
    }

    /** @return {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}. */
    public int protocol()
    {
        return protocol;
    }

    /** @return TCP header length with options, or 8 for UDP. */
    public int l4HeaderLength()
    {
        return l4HeaderLength;
    }

    /** @return end of the IP packet from the frame's first byte (Ethernet padding excluded). */
    public int l3End()
    {
        return l3End;
    }

    /** @return bytes of all headers (Ethernet to TCP/UDP). */
    public int headerLength()
    {
        return l4Offset + l4HeaderLength;
    }

    /** @return the checksum field's offset from the L4 header. */
    public int csumOffset()
    {
        return protocol == IPPROTO_TCP ? TCP_CSUM_OFFSET : UDP_CSUM_OFFSET;
    }

    /**
     * The pseudo-header sum of the parsed packet for an L4 length.
     *
     * @param buffer   the frame.
     * @param offset   its first byte.
     * @param l4Length L4 header plus payload bytes.
     * @return the running sum.
     */
    public long pseudoHeader(final DirectBuffer buffer, final int offset, final int l4Length)
    {
        return ipVersion == 4 ?
            InetChecksum.pseudoHeaderV4(buffer, offset + l3Offset, protocol, l4Length) :
            InetChecksum.pseudoHeaderV6(buffer, offset + l3Offset, protocol, l4Length);
    }

    /**
     * Linux's {@code skb_checksum_setup}: finds csum_start/csum_offset of a packet that came with a blank checksum
     * and records them in {@code info}; with {@code recalculate} (GSO packets, whose field the sender may have left
     * anything in) also writes the pseudo-header sum into the checksum field.
     *
     * @param buffer      the frame.
     * @param offset      its first byte.
     * @param length      its length.
     * @param info        receives csumStart/csumOffset (and {@link OffloadInfo#NEEDS_CSUM}).
     * @param recalculate rewrite the pseudo-header sum.
     * @return {@link #OK} or a negative parse code.
     */
    public int checksumSetup(
        final MutableDirectBuffer buffer, final int offset, final int length, final OffloadInfo info,
        final boolean recalculate)
    {
        final int rc = parse(buffer, offset, length);
        if (rc != OK)
        {
            return rc;
        }
        info.partialCsum(l4Offset, csumOffset());
        if (recalculate)
        {
            final int l4Length = l3End - l4Offset;
            buffer.putShort(offset + l4Offset + csumOffset(),
                (short)InetChecksum.fold(pseudoHeader(buffer, offset, l4Length)), ByteOrder.BIG_ENDIAN);
        }
        return OK;
    }

    /**
     * Completes a blank checksum in place from the headers (the field's old content is ignored: pseudo-header and
     * data are summed afresh); UDP's zero result is sent as 0xFFFF (RFC 768).
     *
     * @param buffer the frame.
     * @param offset its first byte.
     * @param length its length.
     * @return {@link #OK} or a negative parse code (the frame is unchanged then).
     */
    public int completeChecksum(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int rc = parse(buffer, offset, length);
        if (rc != OK)
        {
            return rc;
        }
        final int field = offset + l4Offset + csumOffset();
        final int l4Length = l3End - l4Offset;
        buffer.putShort(field, (short)0);
        int csum = ~InetChecksum.fold(InetChecksum.sum(buffer, offset + l4Offset, l4Length,
            pseudoHeader(buffer, offset, l4Length))) & 0xFFFF;
        if (csum == 0 && protocol == IPPROTO_UDP)
        {
            csum = 0xFFFF;
        }
        buffer.putShort(field, (short)csum, ByteOrder.BIG_ENDIAN);
        return OK;
    }

    /**
     * Completes a partial checksum as virtio-net defines it, without parsing: the ones' complement of the sum of
     * bytes [csumStart, end) is stored at csumStart + csumOffset (the field already holds the pseudo-header sum).
     *
     * @param buffer     the frame.
     * @param offset     its first byte.
     * @param length     its length.
     * @param csumStart  from the frame's first byte.
     * @param csumOffset from csumStart.
     * @return {@link #OK}, or {@link #BAD_HEADER} when the field lies outside the frame.
     */
    public static int completePartial(
        final MutableDirectBuffer buffer, final int offset, final int length, final int csumStart,
        final int csumOffset)
    {
        if (csumStart < 0 || csumOffset < 0 || csumStart + csumOffset + 2 > length)
        {
            return BAD_HEADER;
        }
        final int csum = ~InetChecksum.fold(InetChecksum.sum(buffer, offset + csumStart, length - csumStart, 0));
        buffer.putShort(offset + csumStart + csumOffset, (short)csum, ByteOrder.BIG_ENDIAN);
        return OK;
    }

    /**
     * Verifies the L4 checksum of a complete packet (and, for IPv4, the header checksum).
     *
     * @param buffer the frame.
     * @param offset its first byte.
     * @param length its length.
     * @return whether both are right (false also when the frame does not parse).
     */
    public boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (parse(buffer, offset, length) != OK)
        {
            return false;
        }
        if (ipVersion == 4 && InetChecksum.checksum(buffer, offset + l3Offset, l4Offset - l3Offset) != 0)
        {
            return false;
        }
        if (protocol == IPPROTO_UDP && buffer.getShort(offset + l4Offset + UDP_CSUM_OFFSET) == 0)
        {
            return ipVersion == 4; // UDP over IPv4 may omit it; over IPv6 it is mandatory
        }
        final int l4Length = l3End - l4Offset;
        return InetChecksum.fold(InetChecksum.sum(buffer, offset + l4Offset, l4Length,
            pseudoHeader(buffer, offset, l4Length))) == 0xFFFF;
    }

    /**
     * Names a result.
     *
     * @param result a result of {@link #parse}.
     * @return its name.
     */
    public static String resultString(final int result)
    {
        switch (result)
        {
            case OK:
                return "OK";
            case TRUNCATED:
                return "TRUNCATED";
            case NOT_IP:
                return "NOT_IP";
            case NOT_TCP_UDP:
                return "NOT_TCP_UDP";
            case FRAGMENT:
                return "FRAGMENT";
            case BAD_HEADER:
                return "BAD_HEADER";
            default:
                return "UNKNOWN(" + result + ")";
        }
    }
}
