package org.xennet.rings.netif;

import static org.xennet.rings.netif.NetifRxResponseDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.ID_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.OFFSET_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.STATUS_OFFSET;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.SharedRing;
import org.xennet.rings.SlotMemory;

/**
 * Flyweight over a {@code struct netif_rx_response} in a ring slot ({@link NetifRxResponseDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifRxResponseFlyweight
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
    public NetifRxResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        final long address = SlotMemory.address(buffer, offset, NetifRxResponseDescriptor.LENGTH); // checked here, once
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
    public NetifRxResponseFlyweight wrap(final SharedRing ring, final int index)
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
     * @param id id of the request answered (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight id(final int id)
    {
        SlotMemory.putU16(address + ID_OFFSET, id);
        return this;
    }

    /** @return {@code offset} (u16). */
    public int offset()
    {
        return SlotMemory.getU16(address + OFFSET_OFFSET);
    }

    /**
     * @param pageOffset data offset within the receive page (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight offset(final int pageOffset)
    {
        SlotMemory.putU16(address + OFFSET_OFFSET, pageOffset);
        return this;
    }

    /** @return {@code flags} (u16, {@link NetifRxFlags}). */
    public int flags()
    {
        return SlotMemory.getU16(address + FLAGS_OFFSET);
    }

    /**
     * @param flags {@link NetifRxFlags} bits (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight flags(final int flags)
    {
        SlotMemory.putU16(address + FLAGS_OFFSET, flags);
        return this;
    }

    /** @return {@code status} (s16, sign-extended): length if {@code >= 0}, else {@link NetifResponseStatus}. */
    public int status()
    {
        return SlotMemory.getS16(address + STATUS_OFFSET);
    }

    /**
     * @param status length received or {@link NetifResponseStatus} value (s16).
     * @return this.
     */
    public NetifRxResponseFlyweight status(final int status)
    {
        SlotMemory.putU16(address + STATUS_OFFSET, status);
        return this;
    }
}
