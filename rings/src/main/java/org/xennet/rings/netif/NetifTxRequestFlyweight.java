package org.xennet.rings.netif;

import static org.xennet.rings.netif.NetifTxRequestDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.GREF_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.ID_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.OFFSET_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.SIZE_OFFSET;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.SharedRing;
import org.xennet.rings.SlotMemory;

/**
 * Flyweight over a {@code struct netif_tx_request} in a ring slot ({@link NetifTxRequestDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate. u16 fields are widened unsigned.
 */
public final class NetifTxRequestFlyweight
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
    public NetifTxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        final long address = SlotMemory.address(buffer, offset, NetifTxRequestDescriptor.LENGTH); // checked here, once
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
    public NetifTxRequestFlyweight wrap(final SharedRing ring, final int index)
    {
        if (this.owner != ring)
        {
            this.owner = ring; // only on a change: a reference store pays a GC write barrier
        }
        this.address = ring.slotAddress(index);
        return this;
    }

    /** @return {@code gref} (u32 bits). */
    public int gref()
    {
        return SlotMemory.getI32(address + GREF_OFFSET);
    }

    /**
     * @param gref grant reference (u32 bits).
     * @return this.
     */
    public NetifTxRequestFlyweight gref(final int gref)
    {
        SlotMemory.putI32(address + GREF_OFFSET, gref);
        return this;
    }

    /** @return {@code offset} (u16). */
    public int offset()
    {
        return SlotMemory.getU16(address + OFFSET_OFFSET);
    }

    /**
     * @param pageOffset fragment offset within the granted page (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight offset(final int pageOffset)
    {
        SlotMemory.putU16(address + OFFSET_OFFSET, pageOffset);
        return this;
    }

    /** @return {@code flags} (u16, {@link NetifTxFlags}). */
    public int flags()
    {
        return SlotMemory.getU16(address + FLAGS_OFFSET);
    }

    /**
     * @param flags {@link NetifTxFlags} bits (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight flags(final int flags)
    {
        SlotMemory.putU16(address + FLAGS_OFFSET, flags);
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
    public NetifTxRequestFlyweight id(final int id)
    {
        SlotMemory.putU16(address + ID_OFFSET, id);
        return this;
    }

    /** @return {@code size} (u16). */
    public int size()
    {
        return SlotMemory.getU16(address + SIZE_OFFSET);
    }

    /**
     * @param size packet size (first fragment) or fragment size (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight size(final int size)
    {
        SlotMemory.putU16(address + SIZE_OFFSET, size);
        return this;
    }
}
