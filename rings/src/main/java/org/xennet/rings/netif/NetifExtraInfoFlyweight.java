package org.xennet.rings.netif;

import static org.xennet.rings.netif.NetifExtraInfoDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_SIZE_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_TYPE_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.TYPE_OFFSET;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.rings.SharedRing;
import org.xennet.rings.SlotMemory;

/**
 * Flyweight over a {@code struct netif_extra_info} in a ring slot ({@link NetifExtraInfoDescriptor}), GSO view.
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifExtraInfoFlyweight
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
    public NetifExtraInfoFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        final long address = SlotMemory.address(buffer, offset, NetifExtraInfoDescriptor.LENGTH); // checked here, once
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
    public NetifExtraInfoFlyweight wrap(final SharedRing ring, final int index)
    {
        if (this.owner != ring)
        {
            this.owner = ring; // only on a change: a reference store pays a GC write barrier
        }
        this.address = ring.slotAddress(index);
        return this;
    }

    /** @return {@code type} (u8, {@code NetifConstants.EXTRA_TYPE_*}). */
    public int type()
    {
        return SlotMemory.getU8(address + TYPE_OFFSET);
    }

    /**
     * @param type {@code NetifConstants.EXTRA_TYPE_*} (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight type(final int type)
    {
        SlotMemory.putU8(address + TYPE_OFFSET, type);
        return this;
    }

    /** @return {@code flags} (u8, {@link NetifConstants#EXTRA_FLAG_MORE}). */
    public int flags()
    {
        return SlotMemory.getU8(address + FLAGS_OFFSET);
    }

    /**
     * @param flags {@code NetifConstants.EXTRA_FLAG_*} bits (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight flags(final int flags)
    {
        SlotMemory.putU8(address + FLAGS_OFFSET, flags);
        return this;
    }

    /** @return {@code u.gso.size} (u16). */
    public int gsoSize()
    {
        return SlotMemory.getU16(address + GSO_SIZE_OFFSET);
    }

    /**
     * @param gsoSize maximum segment payload (u16).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoSize(final int gsoSize)
    {
        SlotMemory.putU16(address + GSO_SIZE_OFFSET, gsoSize);
        return this;
    }

    /** @return {@code u.gso.type} (u8, {@code NetifConstants.GSO_TYPE_*}). */
    public int gsoType()
    {
        return SlotMemory.getU8(address + GSO_TYPE_OFFSET);
    }

    /**
     * @param gsoType {@code NetifConstants.GSO_TYPE_*} (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoType(final int gsoType)
    {
        SlotMemory.putU8(address + GSO_TYPE_OFFSET, gsoType);
        return this;
    }

    /** @return {@code u.gso.features} (u16). */
    public int gsoFeatures()
    {
        return SlotMemory.getU16(address + GSO_FEATURES_OFFSET);
    }

    /**
     * @param gsoFeatures {@code XEN_NETIF_GSO_FEAT_*} bits (u16).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoFeatures(final int gsoFeatures)
    {
        SlotMemory.putU16(address + GSO_FEATURES_OFFSET, gsoFeatures);
        return this;
    }
}
