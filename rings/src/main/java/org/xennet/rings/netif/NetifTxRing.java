package org.xennet.rings.netif;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;

/**
 * The netif Tx ring ({@code DEFINE_RING_TYPES(netif_tx, ...)}) on one 4 KiB page: a TX slot holds a 12-octet
 * request or a 4-octet response.
 */
public final class NetifTxRing
{
    /** Length of one slot ({@code sizeof(union netif_tx_sring_entry)}). */
    public static final int SLOT_LENGTH = NetifTxRequestDescriptor.LENGTH;

    /** Slots on a 4 KiB page ({@code __CONST_RING_SIZE(netif_tx, 4096)}). */
    public static final int SIZE = SharedRingDescriptor.ringSize(SharedRingDescriptor.PAGE_LENGTH, SLOT_LENGTH);

    private NetifTxRing()
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
