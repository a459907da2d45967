package org.xennet.rings.netif;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.xennet.rings.netif.NetifTxResponseDescriptor.ID_OFFSET;
import static org.xennet.rings.netif.NetifTxResponseDescriptor.STATUS_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over a {@code struct netif_tx_response} in a ring slot ({@link NetifTxResponseDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate.
 */
public final class NetifTxResponseFlyweight
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
    public NetifTxResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
    public NetifTxResponseFlyweight id(final int id)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code status} (s16, sign-extended: {@link NetifResponseStatus}). */
    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param status {@link NetifResponseStatus} value (s16).
     * @return this.
     */
    public NetifTxResponseFlyweight status(final int status)
    {
        buffer.putShort(offset + STATUS_OFFSET, (short)status, LITTLE_ENDIAN);
        return this;
    }
}
