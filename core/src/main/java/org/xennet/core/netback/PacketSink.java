package org.xennet.core.netback;

import org.agrona.DirectBuffer;
import org.xennet.core.offload.OffloadInfo;

/**
 * Where a {@link NetBack} hands each packet the frontend transmitted: loopback into a peer's rx, discard,
 * counting, capture, a bridge. Called on the backend's tx thread; the bytes are valid only during the call.
 * Implementations must not throw.
 * <p>
 * Offload: a sink that can take GSO frames and blank checksums (a TAP with {@code IFF_VNET_HDR}, a peer vif)
 * overrides {@link #onPacket(DirectBuffer, int, int, OffloadInfo)}; by default the metadata is dropped and the
 * three-argument method gets the frame as it came (wrap such a sink in
 * {@link PacketSinks#softwareOffload(PacketSink)} when it needs MTU-sized frames with full checksums).
 */
@FunctionalInterface
public interface PacketSink
{
    /** The packet was taken; the frontend gets {@code NETIF_RSP_OKAY}. */
    int ACCEPTED = 0;

    /** The packet was dropped; the frontend gets {@code NETIF_RSP_DROPPED}. */
    int DROPPED = -2;

    /** No room right now: the backend keeps the packet staged and offers it again on its next poll. */
    int BACK_PRESSURED = -3;

    /**
     * Takes one packet.
     *
     * @param buffer buffer holding the packet.
     * @param offset offset of its first byte.
     * @param length its length.
     * @return {@link #ACCEPTED}, {@link #DROPPED} or {@link #BACK_PRESSURED}.
     */
    int onPacket(DirectBuffer buffer, int offset, int length);

    /**
     * Takes one packet with its offload metadata ({@code NETTXF_csum_blank} / {@code NETTXF_data_validated} and the
     * GSO extra slot the frontend sent). The default ignores the metadata.
     *
     * @param buffer  buffer holding the packet (the backend's private copy: a sink may complete checksums in place).
     * @param offset  offset of its first byte.
     * @param length  its length.
     * @param offload its metadata, valid only during the call ({@link OffloadInfo#isPlain()} when none).
     * @return {@link #ACCEPTED}, {@link #DROPPED} or {@link #BACK_PRESSURED}.
     */
    default int onPacket(DirectBuffer buffer, int offset, int length, OffloadInfo offload)
    {
        return onPacket(buffer, offset, length);
    }

    /**
     * Names a sink result.
     *
     * @param result a result of {@link #onPacket}.
     * @return its name.
     */
    static String resultString(final int result)
    {
        switch (result)
        {
            case ACCEPTED:
                return "ACCEPTED";
            case DROPPED:
                return "DROPPED";
            case BACK_PRESSURED:
                return "BACK_PRESSURED";
            default:
                return "UNKNOWN(" + result + ")";
        }
    }
}
