package org.xennet.core.netback;

import org.agrona.DirectBuffer;

/**
 * Where a {@link NetBack} hands each packet the frontend transmitted: loopback into a peer's rx, discard,
 * counting, capture, a bridge. Called on the backend's tx thread; the bytes are valid only during the call.
 * Implementations must not throw.
 */
@FunctionalInterface
public interface PacketSink
{
    /** The packet was taken; the frontend gets {@code NETIF_RSP_OKAY} (&gt; 0: success, as every xennet result). */
    int ACCEPTED = 1;

    /** The packet was dropped; the frontend gets {@code NETIF_RSP_DROPPED}. */
    int DROPPED = -21;

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
