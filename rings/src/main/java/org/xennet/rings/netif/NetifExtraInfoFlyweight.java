package org.xennet.rings.netif;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_SIZE_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.GSO_TYPE_OFFSET;
import static org.xennet.rings.netif.NetifExtraInfoDescriptor.TYPE_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over a {@code struct netif_extra_info} in a ring slot ({@link NetifExtraInfoDescriptor}), GSO view.
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifExtraInfoFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at a slot.
     *
     * @param buffer the ring page.
     * @param offset byte offset of the slot.
     * @return this.
     */
    public NetifExtraInfoFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return {@code type} (u8, {@code NetifConstants.EXTRA_TYPE_*}). */
    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param type {@code NetifConstants.EXTRA_TYPE_*} (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight type(final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        return this;
    }

    /** @return {@code flags} (u8, {@link NetifConstants#EXTRA_FLAG_MORE}). */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @param flags {@code NetifConstants.EXTRA_FLAG_*} bits (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight flags(final int flags)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    /** @return {@code u.gso.size} (u16). */
    public int gsoSize()
    {
        return buffer.getShort(offset + GSO_SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param gsoSize maximum segment payload (u16).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoSize(final int gsoSize)
    {
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)gsoSize, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code u.gso.type} (u8, {@code NetifConstants.GSO_TYPE_*}). */
    public int gsoType()
    {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param gsoType {@code NetifConstants.GSO_TYPE_*} (u8).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoType(final int gsoType)
    {
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)gsoType);
        return this;
    }

    /** @return {@code u.gso.features} (u16). */
    public int gsoFeatures()
    {
        return buffer.getShort(offset + GSO_FEATURES_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param gsoFeatures {@code XEN_NETIF_GSO_FEAT_*} bits (u16).
     * @return this.
     */
    public NetifExtraInfoFlyweight gsoFeatures(final int gsoFeatures)
    {
        buffer.putShort(offset + GSO_FEATURES_OFFSET, (short)gsoFeatures, LITTLE_ENDIAN);
        return this;
    }
}
