package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Version-1 grant table: {@code struct grant_entry_v1} entries (8 octets, 512 per frame), in which the peer sets
 * {@code GTF_reading}/{@code GTF_writing} in the guest's own {@code flags}.
 *
 * <p>{@link #endAccess(int)} therefore follows Linux's {@code gnttab_end_foreign_access_ref_v1}: a
 * compare-and-swap loop on the aligned 32-bit {flags, domid} word that clears the flags only if neither bit is set
 * (Java has no 16-bit CAS on off-heap memory). {@link #permitAccess} refuses frames above
 * {@link GrantConstants#MAX_V1_FRAME} with {@link GrantResult#FRAME_OUT_OF_RANGE} before writing anything.
 */
public final class GrantTableV1 extends GrantTable
{
    /** Attempts of the end-access compare-and-swap before a peer that keeps changing the word counts as in use. */
    static final int MAX_END_ATTEMPTS = 64;

    /**
     * Creates a v1 table over grant frames.
     *
     * @param frames the grant frames: a positive multiple of 4096 bytes, 8-byte aligned.
     */
    public GrantTableV1(final AtomicBuffer frames)
    {
        super(frames, GrantEntryV1Descriptor.LENGTH);
    }

    /** {@inheritDoc} */
    @Override
    public int version()
    {
        return 1;
    }

    /** {@inheritDoc} */
    @Override
    public int permitAccess(final int ref, final int domid, final long frame, final boolean readOnly)
    {
        if (!isValidRef(ref))
        {
            return GrantResult.BAD_REF;
        }
        if (!isDomid(domid))
        {
            return GrantResult.BAD_ARGUMENT;
        }
        if (Long.compareUnsigned(frame, GrantConstants.MAX_V1_FRAME) > 0)
        {
            return GrantResult.FRAME_OUT_OF_RANGE; // checked before any store: the entry stays as it was
        }
        final AtomicBuffer frames = this.frames;
        final int offset = GrantEntryV1Descriptor.entryOffset(ref);
        final int word = frames.getIntVolatile(offset + GrantEntryV1Descriptor.HEADER_WORD_OFFSET);
        if ((word & GrantFlags.TYPE_MASK) != GrantFlags.INVALID)
        {
            return GrantResult.ALREADY_GRANTED;
        }
        if ((word & GrantFlags.IN_USE_MASK) != 0)
        {
            return GrantResult.STILL_IN_USE;
        }
        final int flags = GrantFlags.PERMIT_ACCESS | (readOnly ? GrantFlags.READONLY : 0);
        frames.putInt(offset + GrantEntryV1Descriptor.FRAME_OFFSET, (int)frame);
        // release: the peer sees the frame before the flags that make the grant live
        frames.putIntRelease(offset + GrantEntryV1Descriptor.HEADER_WORD_OFFSET, headerWord(flags, domid));
        return GrantResult.OK;
    }

    /**
     * Refused: sub-page grants exist only in v2.
     *
     * @return {@link GrantResult#NOT_SUPPORTED}; nothing is written.
     */
    @Override
    public int permitSubPageAccess(
        final int ref, final int domid, final long frame, final int offset, final int length, final boolean readOnly)
    {
        return GrantResult.NOT_SUPPORTED;
    }

    /** {@inheritDoc} */
    @Override
    public int endAccess(final int ref)
    {
        if (!isValidRef(ref))
        {
            return GrantResult.BAD_REF;
        }
        final AtomicBuffer frames = this.frames;
        final int offset = GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.HEADER_WORD_OFFSET;
        for (int attempt = 0; attempt < MAX_END_ATTEMPTS; attempt++)
        {
            final int word = frames.getIntVolatile(offset);
            if ((word & GrantFlags.IN_USE_MASK) != 0)
            {
                return GrantResult.STILL_IN_USE;
            }
            // clear flags, keep domid; fails if the peer set reading/writing since the read above
            if (frames.compareAndSetInt(offset, word, word & 0xFFFF_0000))
            {
                return GrantResult.OK;
            }
        }
        return GrantResult.STILL_IN_USE;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isInUse(final int ref)
    {
        return isValidRef(ref) &&
            (frames.getIntVolatile(GrantEntryV1Descriptor.entryOffset(ref)) & GrantFlags.IN_USE_MASK) != 0;
    }
}
