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
}
