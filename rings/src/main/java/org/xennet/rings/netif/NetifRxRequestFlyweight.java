package org.xennet.rings.netif;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.xennet.rings.netif.NetifRxRequestDescriptor.GREF_OFFSET;
import static org.xennet.rings.netif.NetifRxRequestDescriptor.ID_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over a {@code struct netif_rx_request} in a ring slot ({@link NetifRxRequestDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifRxRequestFlyweight
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
    public NetifRxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return {@code id} (u16). */
    public int id()
    {
        return buffer.getShort(offset + ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param id request id (u16).
     * @return this.
     */
    public NetifRxRequestFlyweight id(final int id)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code gref} (u32 bits). */
    public int gref()
    {
        return buffer.getInt(offset + GREF_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param gref grant reference of the receive page (u32 bits).
     * @return this.
     */
    public NetifRxRequestFlyweight gref(final int gref)
    {
        buffer.putInt(offset + GREF_OFFSET, gref, LITTLE_ENDIAN);
        return this;
    }
}
