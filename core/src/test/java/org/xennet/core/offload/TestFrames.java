package org.xennet.core.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Builds Ethernet frames with TCP or UDP over IPv4/IPv6 for offload tests, on heap, and checks them with a checksum
 * written independently of {@link InetChecksum} (byte by byte, folding at every step).
 */
public final class TestFrames
{
    /** Ethernet header length. */
    public static final int ETH = 14;

    private TestFrames()
    {
    }

    /**
     * A TCP frame with random payload.
     *
     * @param v6       IPv6 instead of IPv4.
     * @param payload  TCP payload bytes.
     * @param seed     payload seed.
     * @param partial  leave the pseudo-header sum in the checksum field (as a sender with checksum offload does)
     *                 instead of the full checksum.
     * @param tcpFlags TCP flags byte (e.g. 0x18 PSH|ACK).
     * @return the frame.
     */
    public static byte[] tcp(final boolean v6, final int payload, final long seed, final boolean partial,
        final int tcpFlags)
    {
        return build(v6, 6, 20, payload, seed, partial, tcpFlags);
    }

    /**
     * A UDP frame with random payload.
     *
     * @param v6      IPv6 instead of IPv4.
     * @param payload UDP payload bytes.
     * @param seed    payload seed.
     * @param partial pseudo-header sum in the checksum field instead of the full checksum.
     * @return the frame.
     */
    public static byte[] udp(final boolean v6, final int payload, final long seed, final boolean partial)
    {
        return build(v6, 17, 8, payload, seed, partial, 0);
    }

    private static byte[] build(final boolean v6, final int proto, final int l4Header, final int payload,
        final long seed, final boolean partial, final int tcpFlags)
    {
        final int ipHeader = v6 ? 40 : 20;
        final int l4Length = l4Header + payload;
        final byte[] frame = new byte[ETH + ipHeader + l4Length];
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        final Random random = new Random(seed);
        b.put(0, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}); // dst, src (locally administered)
        b.putShort(12, (short)(v6 ? 0x86DD : 0x0800));
        final int l3 = ETH;
        if (v6)
        {
            b.putInt(l3, 0x6000_0000);
            b.putShort(l3 + 4, (short)l4Length);
            b.put(l3 + 6, (byte)proto);
            b.put(l3 + 7, (byte)64);
            b.put(l3 + 8, new byte[] {0x20, 0x01, 0x0d, (byte)0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            b.put(l3 + 24, new byte[] {0x20, 0x01, 0x0d, (byte)0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        }
        else
        {
            b.put(l3, (byte)0x45);
            b.putShort(l3 + 2, (short)(ipHeader + l4Length));
            b.putShort(l3 + 4, (short)0x1234);
            b.putShort(l3 + 6, (short)0x4000); // DF
            b.put(l3 + 8, (byte)64);
            b.put(l3 + 9, (byte)proto);
            b.put(l3 + 12, new byte[] {(byte)192, 0, 2, 1, (byte)192, 0, 2, 2});
            b.putShort(l3 + 10, (short)referenceChecksum(frame, l3, 20, 0));
        }
        final int l4 = l3 + ipHeader;
        b.putShort(l4, (short)40000);
        b.putShort(l4 + 2, (short)5201);
        if (proto == 6)
        {
            b.putInt(l4 + 4, 0x1000_0000 + (int)seed);
            b.putInt(l4 + 8, 77);
            b.put(l4 + 12, (byte)0x50);
            b.put(l4 + 13, (byte)tcpFlags);
            b.putShort(l4 + 14, (short)64000);
        }
        else
        {
            b.putShort(l4 + 4, (short)l4Length);
        }
        for (int i = l4 + l4Header; i < frame.length; i++)
        {
            frame[i] = (byte)random.nextInt(256);
        }
        final int field = l4 + (proto == 6 ? 16 : 6);
        final long pseudo = referencePseudo(frame, v6, proto, l4Length);
        if (partial)
        {
            b.putShort(field, (short)fold(pseudo));
        }
        else
        {
            int csum = referenceChecksum(frame, l4, l4Length, pseudo);
            if (csum == 0 && proto == 17)
            {
                csum = 0xFFFF;
            }
            b.putShort(field, (short)csum);
        }
        return frame;
    }

    /**
     * The L4 checksum a frame should carry, computed byte by byte (field taken as zero).
     *
     * @param frame a frame from this class (no VLAN, no IP options or extension headers).
     * @return the checksum.
     */
    public static int expectedL4Checksum(final byte[] frame)
    {
        final boolean v6 = (frame[12] & 0xFF) == 0x86;
        final int l4 = ETH + (v6 ? 40 : 20);
        final int proto = frame[ETH + (v6 ? 6 : 9)] & 0xFF;
        final int l4Length = frame.length - l4;
        final byte[] copy = frame.clone();
        final int field = l4 + (proto == 6 ? 16 : 6);
        copy[field] = 0;
        copy[field + 1] = 0;
        int csum = referenceChecksum(copy, l4, l4Length, referencePseudo(copy, v6, proto, l4Length));
        if (csum == 0 && proto == 17)
        {
            csum = 0xFFFF;
        }
        return csum;
    }

    /**
     * @param frame a frame.
     * @param at    offset.
     * @return the big-endian u16 there.
     */
    public static int u16(final byte[] frame, final int at)
    {
        return ((frame[at] & 0xFF) << 8) | (frame[at + 1] & 0xFF);
    }

    private static long referencePseudo(final byte[] frame, final boolean v6, final int proto, final int l4Length)
    {
        long sum = 0;
        final int start = v6 ? ETH + 8 : ETH + 12;
        final int count = v6 ? 32 : 8;
        for (int i = 0; i < count; i += 2)
        {
            sum = foldStep(sum + u16(frame, start + i));
        }
        sum = foldStep(sum + proto);
        sum = foldStep(sum + (l4Length >>> 16));
        return foldStep(sum + (l4Length & 0xFFFF));
    }

    /**
     * Ones' complement checksum, one 16-bit word at a time with the carry folded at every step.
     *
     * @param data   bytes.
     * @param offset start.
     * @param length count.
     * @param start  initial sum.
     * @return ~sum.
     */
    public static int referenceChecksum(final byte[] data, final int offset, final int length, final long start)
    {
        long sum = start;
        for (int i = 0; i < length; i += 2)
        {
            final int hi = data[offset + i] & 0xFF;
            final int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum = foldStep(sum + ((hi << 8) | lo));
        }
        return ~(int)sum & 0xFFFF;
    }

    private static long foldStep(final long sum)
    {
        return (sum & 0xFFFF) + (sum >>> 16);
    }

    private static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = foldStep(s);
        }
        return (int)s;
    }
}
