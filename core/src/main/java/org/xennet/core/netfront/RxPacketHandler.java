package org.xennet.core.netfront;

import org.agrona.DirectBuffer;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.rings.netif.NetifRxFlags;

/**
 * Receives each packet from {@link NetFront#pollRx(RxPacketHandler, int)}. The bytes are valid only during the
 * call (a single-fragment packet is passed in place in guest memory, a multi-fragment one from a reassembly
 * buffer). Implementations should be preallocated and must not throw.
 */
@FunctionalInterface
public interface RxPacketHandler
{
    /**
     * Called once per received packet.
     *
     * @param buffer buffer holding the packet.
     * @param offset offset of the first byte.
     * @param length packet length in bytes.
     */
    void onPacket(DirectBuffer buffer, int offset, int length);

    /**
     * Called once per received packet with its offload metadata: {@code NETRXF_csum_blank} (csum_start/offset found
     * from the headers, as Linux's netfront does), {@code NETRXF_data_validated} and the GSO extra slot. The default
     * passes the checksum flags on to {@link #onPacket(DirectBuffer, int, int, int)} ({@link OffloadInfo#NEEDS_CSUM}
     * as {@code NETRXF_csum_blank | NETRXF_data_validated}, {@link OffloadInfo#DATA_VALID} as
     * {@code NETRXF_data_validated}).
     *
     * @param buffer  buffer holding the packet.
     * @param offset  offset of the first byte.
     * @param length  packet length in bytes.
     * @param offload its metadata, valid only during the call ({@link OffloadInfo#isPlain()} when none).
     */
    default void onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        final int flags = offload.needsCsum() ? NetifRxFlags.CSUM_BLANK | NetifRxFlags.DATA_VALIDATED :
            offload.dataValid() ? NetifRxFlags.DATA_VALIDATED : 0;
        onPacket(buffer, offset, length, flags);
    }

    /**
     * Called once per received packet with the backend's checksum flags; by default the flags are ignored.
     *
     * @param buffer buffer holding the packet.
     * @param offset offset of the first byte.
     * @param length packet length in bytes.
     * @param flags  {@code NETRXF_csum_blank} and/or {@code NETRXF_data_validated}
     *               ({@link org.xennet.rings.netif.NetifRxFlags}) of the packet's first response.
     */
    default void onPacket(final DirectBuffer buffer, final int offset, final int length, final int flags)
    {
        onPacket(buffer, offset, length);
    }
}
