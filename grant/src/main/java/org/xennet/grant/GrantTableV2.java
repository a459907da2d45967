package org.xennet.grant;

import java.lang.invoke.VarHandle;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Version-2 grant table: {@code union grant_entry_v2} entries (16 octets, 256 per frame) with a 64-bit frame,
 * sub-page and transitive grants, and a separate status frame array ({@code grant_status_t}, u16 per ref) in which
 * only the peer sets {@code GTF_reading}/{@code GTF_writing}.
 *
 * <p>{@link #endAccess(int)} follows Linux's {@code gnttab_end_foreign_access_ref_v2}: clear {@code hdr.flags},
 * full fence, read the status; no compare-and-swap is needed because guest and peer write different words.
 */
public final class GrantTableV2 extends GrantTable
{
    private final AtomicBuffer statusFrames;

    /**
     * Creates a v2 table over grant frames and status frames.
     *
     * @param frames       the grant frames: a positive multiple of 4096 bytes, 8-byte aligned.
     * @param statusFrames the status frames: a positive multiple of 4096 bytes holding at least one u16 per entry.
     */
    public GrantTableV2(final AtomicBuffer frames, final AtomicBuffer statusFrames)
    {
        super(frames, GrantEntryV2Descriptor.LENGTH);
        checkFrames("statusFrames", statusFrames);
        if (statusFrames.capacity() / GrantEntryV2Descriptor.STATUS_LENGTH < entryCount)
        {
            throw new IllegalArgumentException("statusFrames too small for the grant frames: capacity=" +
                statusFrames.capacity() + ", entryCount=" + entryCount);
        }
        this.statusFrames = statusFrames;
    }

    /** {@inheritDoc} */
    @Override
    public int version()
    {
        return 2;
    }

    /**
     * The status frames: one {@code grant_status_t} per ref, written by the peer only.
     *
     * @return the status buffer.
     */
    public AtomicBuffer statusFrames()
    {
        return statusFrames;
    }

    /** {@inheritDoc} */
    @Override
    public int permitAccess(final int ref, final int domid, final long frame, final boolean readOnly)
    {
        final int check = checkGrantable(ref, domid);
        if (check != GrantResult.OK)
        {
            return check;
        }
        final AtomicBuffer frames = this.frames;
        final int offset = GrantEntryV2Descriptor.entryOffset(ref);
        frames.putInt(offset + GrantEntryV2Descriptor.FULL_PAGE_PAD0_OFFSET, 0);
        frames.putLong(offset + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET, frame);
        publish(offset, GrantFlags.PERMIT_ACCESS | (readOnly ? GrantFlags.READONLY : 0), domid);
        return GrantResult.OK;
    }

    /** {@inheritDoc} */
    @Override
    public int permitSubPageAccess(
        final int ref, final int domid, final long frame, final int offset, final int length, final boolean readOnly)
    {
        if (offset < 0 || length < 0 || (long)offset + length > GrantConstants.PAGE_LENGTH)
        {
            return isValidRef(ref) ? GrantResult.BAD_ARGUMENT : GrantResult.BAD_REF;
        }
        final int check = checkGrantable(ref, domid);
        if (check != GrantResult.OK)
        {
            return check;
        }
        final AtomicBuffer frames = this.frames;
        final int entry = GrantEntryV2Descriptor.entryOffset(ref);
        frames.putShort(entry + GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET, (short)offset);
        frames.putShort(entry + GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET, (short)length);
        frames.putLong(entry + GrantEntryV2Descriptor.SUB_PAGE_FRAME_OFFSET, frame);
        publish(entry, GrantFlags.PERMIT_ACCESS | GrantFlags.SUB_PAGE | (readOnly ? GrantFlags.READONLY : 0), domid);
        return GrantResult.OK;
    }

    /**
     * Grants {@code domid} access to whatever {@code transDomid} granted this domain with {@code transGref}
     * ({@code GTF_transitive}). {@link GrantAccess} does not follow transitive grants (it answers
     * {@code GNTST_general_error}).
     *
     * @param ref        grant ref.
     * @param domid      domain allowed to use the grant (u16).
     * @param transDomid domain that granted the original ref (u16).
     * @param transGref  the original ref in {@code transDomid}'s table (u32 bits).
     * @param readOnly   whether the peer may only read.
     * @return {@link GrantResult#OK}, or BAD_REF, BAD_ARGUMENT, ALREADY_GRANTED, STILL_IN_USE (nothing written).
     */
    public int permitTransitiveAccess(
        final int ref, final int domid, final int transDomid, final int transGref, final boolean readOnly)
    {
        if (!isDomid(transDomid))
        {
            return isValidRef(ref) ? GrantResult.BAD_ARGUMENT : GrantResult.BAD_REF;
        }
        final int check = checkGrantable(ref, domid);
        if (check != GrantResult.OK)
        {
            return check;
        }
        final AtomicBuffer frames = this.frames;
        final int entry = GrantEntryV2Descriptor.entryOffset(ref);
        frames.putShort(entry + GrantEntryV2Descriptor.TRANSITIVE_DOMID_OFFSET, (short)transDomid);
        frames.putShort(entry + GrantEntryV2Descriptor.TRANSITIVE_PAD0_OFFSET, (short)0);
        frames.putInt(entry + GrantEntryV2Descriptor.TRANSITIVE_GREF_OFFSET, transGref);
        frames.putInt(entry + GrantEntryV2Descriptor.TRANSITIVE_LENGTH, 0); // union tail: no stale frame bits
        publish(entry, GrantFlags.TRANSITIVE | (readOnly ? GrantFlags.READONLY : 0), domid);
        return GrantResult.OK;
    }

    /** {@inheritDoc} */
    @Override
    public int endAccess(final int ref)
    {
        if (!isValidRef(ref))
        {
            return GrantResult.BAD_REF;
        }
        frames.putShort(GrantEntryV2Descriptor.entryOffset(ref) + GrantEntryV2Descriptor.FLAGS_OFFSET, (short)0);
        // xen_mb(): the invalid flags are visible before we read the status, so a peer that marks the status
        // after our read re-reads the flags and backs off (Linux gnttab_end_foreign_access_ref_v2)
        VarHandle.fullFence();
        final int status = statusFrames.getShortVolatile(GrantEntryV2Descriptor.statusOffset(ref));
        return (status & GrantFlags.IN_USE_MASK) != 0 ? GrantResult.STILL_IN_USE : GrantResult.OK;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isInUse(final int ref)
    {
        return isValidRef(ref) &&
            (statusFrames.getShortVolatile(GrantEntryV2Descriptor.statusOffset(ref)) & GrantFlags.IN_USE_MASK) != 0;
    }

    private int checkGrantable(final int ref, final int domid)
    {
        if (!isValidRef(ref))
        {
            return GrantResult.BAD_REF;
        }
        if (!isDomid(domid))
        {
            return GrantResult.BAD_ARGUMENT;
        }
        final int word = frames.getIntVolatile(GrantEntryV2Descriptor.entryOffset(ref));
        if ((word & GrantFlags.TYPE_MASK) != GrantFlags.INVALID)
        {
            return GrantResult.ALREADY_GRANTED;
        }
        if ((statusFrames.getShortVolatile(GrantEntryV2Descriptor.statusOffset(ref)) & GrantFlags.IN_USE_MASK) != 0)
        {
            return GrantResult.STILL_IN_USE;
        }
        return GrantResult.OK;
    }

    private void publish(final int entryOffset, final int flags, final int domid)
    {
        // release: the peer sees frame / sub-page / transitive fields before the flags that make the grant live
        frames.putIntRelease(entryOffset + GrantEntryV2Descriptor.HEADER_WORD_OFFSET, headerWord(flags, domid));
    }
}
