package org.xennet.rings.netif;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.FLAGS_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.GREF_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.ID_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.OFFSET_OFFSET;
import static org.xennet.rings.netif.NetifTxRequestDescriptor.SIZE_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over a {@code struct netif_tx_request} in a ring slot ({@link NetifTxRequestDescriptor}).
 * Reuse one instance: {@link #wrap(AtomicBuffer, int)} does not allocate. u16 fields are widened unsigned.
 */
public final class NetifTxRequestFlyweight
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
    public NetifTxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return {@code gref} (u32 bits). */
    public int gref()
    {
        return buffer.getInt(offset + GREF_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param gref grant reference (u32 bits).
     * @return this.
     */
    public NetifTxRequestFlyweight gref(final int gref)
    {
        buffer.putInt(offset + GREF_OFFSET, gref, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code offset} (u16). */
    public int offset()
    {
        return buffer.getShort(offset + OFFSET_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param pageOffset fragment offset within the granted page (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight offset(final int pageOffset)
    {
        buffer.putShort(offset + OFFSET_OFFSET, (short)pageOffset, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code flags} (u16, {@link NetifTxFlags}). */
    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param flags {@link NetifTxFlags} bits (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight flags(final int flags)
    {
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
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
    public NetifTxRequestFlyweight id(final int id)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id, LITTLE_ENDIAN);
        return this;
    }

    /** @return {@code size} (u16). */
    public int size()
    {
        return buffer.getShort(offset + SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param size packet size (first fragment) or fragment size (u16).
     * @return this.
     */
    public NetifTxRequestFlyweight size(final int size)
    {
        buffer.putShort(offset + SIZE_OFFSET, (short)size, LITTLE_ENDIAN);
        return this;
    }
}
