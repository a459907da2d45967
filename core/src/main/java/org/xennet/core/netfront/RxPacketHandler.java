package org.xennet.core.netfront;

import org.agrona.DirectBuffer;

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
     * Called once per received packet with the backend's checksum flags; by default the flags are ignored.
     *
     * @param buffer buffer holding the packet.
     * @param offset offset of the first byte.
     * @param length packet length in bytes.
     * @param flags  {@code NETRXF_csum_blank} and/or {@code NETRXF_data_validated}
     *               ({@link org.xennet.rings.netif.NetifRxFlags}) of the packet's first response.
     */
    default void onPacket(DirectBuffer buffer, int offset, int length, int flags)
    {
        onPacket(buffer, offset, length);
    }
}
