package org.xennet.core.netfront;

import org.agrona.DirectBuffer;
import org.xennet.core.offload.OffloadInfo;

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
     * ignores the metadata.
     *
     * @param buffer  buffer holding the packet.
     * @param offset  offset of the first byte.
     * @param length  packet length in bytes.
     * @param offload its metadata, valid only during the call ({@link OffloadInfo#isPlain()} when none).
     */
    default void onPacket(DirectBuffer buffer, int offset, int length, OffloadInfo offload)
    {
        onPacket(buffer, offset, length);
    }
}
