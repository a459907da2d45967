package org.xennet.rings.netif;

import static org.xennet.rings.netif.NetifRxRequestDescriptor.GREF_OFFSET;
import static org.xennet.rings.netif.NetifRxRequestDescriptor.ID_OFFSET;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.SharedRing;
import org.xennet.rings.SlotMemory;

/**
 * Flyweight over a {@code struct netif_rx_request} in a ring slot ({@link NetifRxRequestDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifRxRequestFlyweight
{
    private Object owner;  // keeps the page reachable while wrapped; stored only when it changes
    private long address;  // absolute address of the slot

    /**
     * Points this flyweight at a slot.
     *
     * @param buffer the ring page.
     * @param offset byte offset of the slot.
     * @return this.
     */
    public NetifRxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        final long address = SlotMemory.address(buffer, offset, NetifRxRequestDescriptor.LENGTH); // checked here, once
        if (this.owner != buffer)
        {
            this.owner = buffer; // only on a change: a reference store pays a GC write barrier
        }
        this.address = address;
        return this;
    }

    /**
     * Points this flyweight at the slot of a free-running ring index ({@code RING_GET_REQUEST}/
     * {@code RING_GET_RESPONSE}): the hot-path wrap, one masked multiply-add and no range check (the mask keeps
     * the slot inside the page).
     *
     * @param ring  the ring whose page holds the slot.
     * @param index a free-running request or response index.
     * @return this.
     */
    public NetifRxRequestFlyweight wrap(final SharedRing ring, final int index)
    {
        if (this.owner != ring)
        {
            this.owner = ring; // only on a change: a reference store pays a GC write barrier
        }
        this.address = ring.slotAddress(index);
        return this;
    }

    /** @return {@code id} (u16). */
    public int id()
    {
        return SlotMemory.getU16(address + ID_OFFSET);
    }

    /**
     * @param id request id (u16).
     * @return this.
     */
    public NetifRxRequestFlyweight id(final int id)
    {
        SlotMemory.putU16(address + ID_OFFSET, id);
        return this;
    }

    /** @return {@code gref} (u32 bits). */
    public int gref()
    {
        return SlotMemory.getI32(address + GREF_OFFSET);
    }

    /**
     * @param gref grant reference of the receive page (u32 bits).
     * @return this.
     */
    public NetifRxRequestFlyweight gref(final int gref)
    {
        SlotMemory.putI32(address + GREF_OFFSET, gref);
        return this;
    }
}
