package org.xennet.core.netback;

import org.agrona.DirectBuffer;
import org.xennet.core.offload.FrameConsumer;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.TcpSegmenter;

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

            @Override
            public int onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info)
            {
                return peer.deliver(buffer, offset, length, info); // the peer's frontend features decide
            }
        };
    }

    /**
     * Wraps a sink that needs MTU-sized frames with full checksums (a TAP without {@code IFF_VNET_HDR}, a pcap
     * file): GSO frames are segmented and blank checksums completed in software before it sees them, as the Linux
     * stack does for a device without TSO and checksum offload. One wrapper per backend tx thread.
     *
     * @param sink the plain sink.
     * @return the wrapping sink.
     */
    public static PacketSink softwareOffload(final PacketSink sink)
    {
        return new SoftwareOffload(sink);
    }

    /** See {@link #softwareOffload(PacketSink)}. */
    private static final class SoftwareOffload implements PacketSink
    {
        private final PacketSink sink;
        private final TcpSegmenter segmenter = new TcpSegmenter();
        private final FrameConsumer next;
        private int done;       // segments of a back-pressured frame already taken
        private int thisCall;

        SoftwareOffload(final PacketSink sink)
        {
            this.sink = sink;
            this.next = this::onSegment;
        }

        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            return sink.onPacket(buffer, offset, length);
        }

        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info)
        {
            if (!info.isGso() && !info.needsCsum())
            {
                return sink.onPacket(buffer, offset, length);
            }
            if (segmenter.segmentCount(buffer, offset, length, info) < 1)
            {
                done = 0;
                return DROPPED; // headers that do not parse: nothing can be completed
            }
            thisCall = 0;
            final int rc = segmenter.segment(buffer, offset, length, info, next);
            if (rc == BACK_PRESSURED)
            {
                done += thisCall; // the same frame comes again: resume after the segments already taken
                return BACK_PRESSURED;
            }
            done = 0;
            return rc < 0 ? DROPPED : ACCEPTED;
        }

        private int onSegment(final DirectBuffer buffer, final int offset, final int length)
        {
            if (thisCall < done)
            {
                thisCall++;
                return 0;
            }
            final int rc = sink.onPacket(buffer, offset, length);
            if (rc == BACK_PRESSURED)
            {
                return rc;
            }
            thisCall++;
            return 0; // a dropped segment is the sink's business; the rest still go
        }
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
