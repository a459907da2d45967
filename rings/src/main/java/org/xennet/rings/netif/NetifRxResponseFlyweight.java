package org.xennet.rings.netif;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.ID_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.OFFSET_OFFSET;
import static org.xennet.rings.netif.NetifRxResponseDescriptor.STATUS_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over a {@code struct netif_rx_response} in a ring slot ({@link NetifRxResponseDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifRxResponseFlyweight
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
    public NetifRxResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
     * @param id id of the request answered (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight id(final int id)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code offset} (u16). */
    public int offset()
    {
        return buffer.getShort(offset + OFFSET_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param pageOffset data offset within the receive page (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight offset(final int pageOffset)
    {
        buffer.putShort(offset + OFFSET_OFFSET, (short)pageOffset, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code flags} (u16, {@link NetifRxFlags}). */
    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param flags {@link NetifRxFlags} bits (u16).
     * @return this.
     */
    public NetifRxResponseFlyweight flags(final int flags)
    {
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code status} (s16, sign-extended): length if {@code >= 0}, else {@link NetifResponseStatus}. */
    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param status length received or {@link NetifResponseStatus} value (s16).
     * @return this.
     */
    public NetifRxResponseFlyweight status(final int status)
    {
        buffer.putShort(offset + STATUS_OFFSET, (short)status, LITTLE_ENDIAN);
        return this;
    }
}
