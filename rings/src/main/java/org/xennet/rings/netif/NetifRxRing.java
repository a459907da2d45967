package org.xennet.rings.netif;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;

/**
 * The netif Rx ring ({@code DEFINE_RING_TYPES(netif_rx, ...)}) on one 4 KiB page: an RX slot holds an 8-octet
 * request or an 8-octet response.
 */
public final class NetifRxRing
{
    /** Length of one slot ({@code sizeof(union netif_rx_sring_entry)}). */
    public static final int SLOT_LENGTH = NetifRxRequestDescriptor.LENGTH;

    /** Slots on a 4 KiB page ({@code __CONST_RING_SIZE(netif_rx, 4096)}). */
    public static final int SIZE = SharedRingDescriptor.ringSize(SharedRingDescriptor.PAGE_LENGTH, SLOT_LENGTH);

    private NetifRxRing()
    {
    }

    /**
     * @param page the shared ring page (page-aligned, at least 4096 bytes).
     * @return a front end over it (call {@link FrontRing#sharedRingInit()} and {@link FrontRing#init()} next).
     */
    public static FrontRing front(final AtomicBuffer page)
    {
        return new FrontRing(page, SLOT_LENGTH);
    }

    /**
     * @param page the shared ring page (page-aligned, at least 4096 bytes).
     * @return a back end over it (call {@link BackRing#init()} next).
     */
    public static BackRing back(final AtomicBuffer page)
    {
        return new BackRing(page, SLOT_LENGTH);
    }
}
