package org.xennet.core.netback;

import org.agrona.DirectBuffer;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.rings.netif.NetifTxFlags;

/**
 * Where a {@link NetBack} hands each packet the frontend transmitted: loopback into a peer's rx, discard,
 * counting, capture, a bridge. Called on the backend's tx thread; the bytes are valid only during the call.
 * Implementations must not throw.
 * <p>
 * Offload: a sink that can take GSO frames and blank checksums (a TAP with {@code IFF_VNET_HDR}, a peer vif)
 * overrides {@link #onPacket(DirectBuffer, int, int, OffloadInfo)}; by default only the checksum flags reach
 * {@link #onPacket(DirectBuffer, int, int, int)} and then the three-argument method gets the frame as it came (wrap
 * such a sink in
 * {@link PacketSinks#softwareOffload(PacketSink)} when it needs MTU-sized frames with full checksums).
 */
@FunctionalInterface
public interface PacketSink
{
    /** The packet was taken; the frontend gets {@code NETIF_RSP_OKAY} (&gt; 0: success, as every xennet result). */
    int ACCEPTED = 1;

    /** The packet was dropped; the frontend gets {@code NETIF_RSP_DROPPED}. */
    int DROPPED = -21;

    /** Packet flag: the L4 checksum is blank and must be filled in ({@code NETTXF_csum_blank}). */
    int CSUM_BLANK = NetifTxFlags.CSUM_BLANK;

    /** Packet flag: the checksum was validated by the sender ({@code NETTXF_data_validated}). */
    int DATA_VALIDATED = NetifTxFlags.DATA_VALIDATED;

    /** No room right now: the backend keeps the packet staged and offers it again on its next poll. */
    int BACK_PRESSURED = -22;

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
     * GSO extra slot the frontend sent). The default passes only the checksum flags on
     * ({@link #onPacket(DirectBuffer, int, int, int)}: {@link OffloadInfo#NEEDS_CSUM} as {@link #CSUM_BLANK},
     * {@link OffloadInfo#DATA_VALID} as {@link #DATA_VALIDATED}), as Linux netback maps them.
     *
     * @param buffer  buffer holding the packet (the backend's private copy: a sink may complete checksums in place).
     * @param offset  offset of its first byte.
     * @param length  its length.
     * @param offload its metadata, valid only during the call ({@link OffloadInfo#isPlain()} when none).
     * @return {@link #ACCEPTED}, {@link #DROPPED} or {@link #BACK_PRESSURED}.
     */
    default int onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        final int flags = offload.needsCsum() ? CSUM_BLANK : offload.dataValid() ? DATA_VALIDATED : 0;
        return onPacket(buffer, offset, length, flags);
    }

    /**
     * Takes one packet with the checksum flags its sender gave ({@code NETTXF_csum_blank},
     * {@code NETTXF_data_validated}); by default the flags are ignored.
     *
     * @param buffer buffer holding the packet.
     * @param offset offset of its first byte.
     * @param length its length.
     * @param flags  {@link #CSUM_BLANK} and/or {@link #DATA_VALIDATED}.
     * @return {@link #ACCEPTED}, {@link #DROPPED} or {@link #BACK_PRESSURED}.
     */
    default int onPacket(final DirectBuffer buffer, final int offset, final int length, final int flags)
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
