package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over one {@code struct grant_entry_v1} ({@link GrantEntryV1Descriptor}): plain field access for
 * tests, tools and dumps. Publishing and ending grants with the right ordering is {@link GrantTableV1}'s job.
 */
public final class GrantEntryV1Flyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at an entry.
     *
     * @param buffer grant frames.
     * @param offset entry offset ({@link GrantEntryV1Descriptor#entryOffset(int)}).
     * @return this.
     */
    public GrantEntryV1Flyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return {@code flags} (u16). */
    public int flags()
    {
        return buffer.getShort(offset + GrantEntryV1Descriptor.FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code flags}.
     *
     * @param flags u16 value.
     * @return this.
     */
    public GrantEntryV1Flyweight flags(final int flags)
    {
        buffer.putShort(offset + GrantEntryV1Descriptor.FLAGS_OFFSET, (short)flags);
        return this;
    }

    /** @return {@code domid} (u16). */
    public int domid()
    {
        return buffer.getShort(offset + GrantEntryV1Descriptor.DOMID_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code domid}.
     *
     * @param domid u16 value.
     * @return this.
     */
    public GrantEntryV1Flyweight domid(final int domid)
    {
        buffer.putShort(offset + GrantEntryV1Descriptor.DOMID_OFFSET, (short)domid);
        return this;
    }

    /** @return {@code frame} (u32, widened). */
    public long frame()
    {
        return buffer.getInt(offset + GrantEntryV1Descriptor.FRAME_OFFSET) & 0xFFFF_FFFFL;
    }

    /**
     * Sets {@code frame} (low 32 bits of the value).
     *
     * @param frame frame number.
     * @return this.
     */
    public GrantEntryV1Flyweight frame(final long frame)
    {
        buffer.putInt(offset + GrantEntryV1Descriptor.FRAME_OFFSET, (int)frame);
        return this;
    }
}
