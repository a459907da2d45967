package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over one {@code union grant_entry_v2} ({@link GrantEntryV2Descriptor}): header, full_page/sub_page
 * frame, sub_page window and transitive fields. Publishing with the right ordering is {@link GrantTableV2}'s job.
 */
public final class GrantEntryV2Flyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at an entry.
     *
     * @param buffer grant frames.
     * @param offset entry offset ({@link GrantEntryV2Descriptor#entryOffset(int)}).
     * @return this.
     */
    public GrantEntryV2Flyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        if (this.buffer != buffer)
        {
            this.buffer = buffer; // only on a change: a reference store pays a GC write barrier per slot
        }
        this.offset = offset;
        return this;
    }

    /** @return {@code hdr.flags} (u16). */
    public int flags()
    {
        return buffer.getShort(offset + GrantEntryV2Descriptor.FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code hdr.flags}.
     *
     * @param flags u16 value.
     * @return this.
     */
    public GrantEntryV2Flyweight flags(final int flags)
    {
        buffer.putShort(offset + GrantEntryV2Descriptor.FLAGS_OFFSET, (short)flags);
        return this;
    }

    /** @return {@code hdr.domid} (u16). */
    public int domid()
    {
        return buffer.getShort(offset + GrantEntryV2Descriptor.DOMID_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code hdr.domid}.
     *
     * @param domid u16 value.
     * @return this.
     */
    public GrantEntryV2Flyweight domid(final int domid)
    {
        buffer.putShort(offset + GrantEntryV2Descriptor.DOMID_OFFSET, (short)domid);
        return this;
    }

    /** @return {@code full_page.frame} / {@code sub_page.frame} (u64). */
    public long frame()
    {
        return buffer.getLong(offset + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET);
    }

    /**
     * Sets {@code full_page.frame} / {@code sub_page.frame}.
     *
     * @param frame frame number.
     * @return this.
     */
    public GrantEntryV2Flyweight frame(final long frame)
    {
        buffer.putLong(offset + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET, frame);
        return this;
    }

    /** @return {@code sub_page.page_off} (u16). */
    public int pageOff()
    {
        return buffer.getShort(offset + GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code sub_page.page_off}.
     *
     * @param pageOff u16 value.
     * @return this.
     */
    public GrantEntryV2Flyweight pageOff(final int pageOff)
    {
        buffer.putShort(offset + GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET, (short)pageOff);
        return this;
    }

    /** @return {@code sub_page.length} (u16). */
    public int length()
    {
        return buffer.getShort(offset + GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code sub_page.length}.
     *
     * @param length u16 value.
     * @return this.
     */
    public GrantEntryV2Flyweight length(final int length)
    {
        buffer.putShort(offset + GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET, (short)length);
        return this;
    }

    /** @return {@code transitive.trans_domid} (u16). */
    public int transDomid()
    {
        return buffer.getShort(offset + GrantEntryV2Descriptor.TRANSITIVE_DOMID_OFFSET) & 0xFFFF;
    }

    /**
     * Sets {@code transitive.trans_domid}.
     *
     * @param transDomid u16 value.
     * @return this.
     */
    public GrantEntryV2Flyweight transDomid(final int transDomid)
    {
        buffer.putShort(offset + GrantEntryV2Descriptor.TRANSITIVE_DOMID_OFFSET, (short)transDomid);
        return this;
    }

    /** @return {@code transitive.gref} (u32 bits). */
    public int gref()
    {
        return buffer.getInt(offset + GrantEntryV2Descriptor.TRANSITIVE_GREF_OFFSET);
    }

    /**
     * Sets {@code transitive.gref}.
     *
     * @param gref u32 bits.
     * @return this.
     */
    public GrantEntryV2Flyweight gref(final int gref)
    {
        buffer.putInt(offset + GrantEntryV2Descriptor.TRANSITIVE_GREF_OFFSET, gref);
        return this;
    }
}
