package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over one v2 {@code grant_status_t} (u16 in the status frames, written by the peer only:
 * {@link GrantFlags#READING}, {@link GrantFlags#WRITING}).
 */
public final class GrantStatusFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at a status entry.
     *
     * @param buffer status frames.
     * @param offset status offset ({@link GrantEntryV2Descriptor#statusOffset(int)}).
     * @return this.
     */
    public GrantStatusFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return the status (u16), read with acquire semantics. */
    public int status()
    {
        return buffer.getShortVolatile(offset) & 0xFFFF;
    }

    /**
     * Sets the status (plain store; for tests and tools acting as the peer).
     *
     * @param status u16 value.
     * @return this.
     */
    public GrantStatusFlyweight status(final int status)
    {
        buffer.putShort(offset, (short)status);
        return this;
    }
}
