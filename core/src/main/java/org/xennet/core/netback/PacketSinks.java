package org.xennet.core.netback;

import org.agrona.DirectBuffer;

/**
 * Ready-made {@link PacketSink}s.
 */
public final class PacketSinks
{
    private PacketSinks()
    {
    }

    /**
     * A sink that drops every packet (answered {@code NETIF_RSP_DROPPED}).
     *
     * @return the sink.
     */
    public static PacketSink discard()
    {
        return (buffer, offset, length) -> PacketSink.DROPPED;
    }

    /**
     * A sink that delivers every packet into another backend's rx ring (a loopback cable between two vifs).
     *
     * @param peer the backend whose frontend receives the packets.
     * @return the sink; back-pressured while the peer has too few rx buffers posted.
     */
    public static PacketSink loopback(final NetBack peer)
    {
        return new PacketSink()
        {
            @Override
            public int onPacket(final DirectBuffer buffer, final int offset, final int length)
            {
                return peer.deliver(buffer, offset, length, 0);
            }

            @Override
            public int onPacket(final DirectBuffer buffer, final int offset, final int length, final int flags)
            {
                return peer.deliver(buffer, offset, length, flags); // checksum flags travel on to the peer's rx
            }
        };
    }

    /**
     * A sink that accepts and counts packets and bytes.
     */
    public static final class Counting implements PacketSink
    {
        private long packets;
        private long bytes;

        /**
         * {@inheritDoc}
         */
        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            packets++;
            bytes += length;
            return ACCEPTED;
        }

        /** @return packets accepted. */
        public long packets()
        {
            return packets;
        }

        /** @return bytes accepted. */
        public long bytes()
        {
            return bytes;
        }
    }
}
