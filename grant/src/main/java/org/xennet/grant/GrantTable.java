package org.xennet.grant;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The guest's view of its grant table: entries in grant frames held by an {@link AtomicBuffer} (direct or
 * memory-mapped), written in the exact layout of {@code grant_table.h}.
 *
 * <p>All operations return {@link GrantResult} codes; none allocates or throws. The table is safe for one
 * granting thread per ref alongside any number of peers ({@link GrantAccess}) touching the shared frames.
 *
 * <p>Granting: the frame (and sub-page or transitive fields) is stored first, then the {flags, domid} header word
 * with a release store, so a peer that sees the flags sees everything they grant. A ref whose entry is still
 * valid ({@link GrantResult#ALREADY_GRANTED}) or still in use by the peer ({@link GrantResult#STILL_IN_USE}) is
 * refused. Ending: {@link #endAccess(int)} returns {@link GrantResult#STILL_IN_USE} while the peer uses the
 * page; the caller must then keep the ref and its page out of circulation and retry later.
 */
public abstract sealed class GrantTable permits GrantTableV1, GrantTableV2
{
    /** Bit 31 of a pin word: the active entry is being updated (Xen's per-active-entry lock). */
    static final int PIN_LOCKED = 0x8000_0000;

    /** Per-ref count of active copies (bits 0..14) and of active writes (bits 15..29), private to the peer. */
    final AtomicIntegerArray activePins;

    final AtomicBuffer frames;
    final int entryCount;

    GrantTable(final AtomicBuffer frames, final int entryLength)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("grant tables need a little-endian host: nativeOrder=" +
                ByteOrder.nativeOrder());
        }
        checkFrames("frames", frames);
        this.frames = frames;
        this.entryCount = frames.capacity() / entryLength;
        this.activePins = new AtomicIntegerArray(entryCount);
    }

    static void checkFrames(final String what, final AtomicBuffer buffer)
    {
        if (null == buffer)
        {
            throw new IllegalArgumentException(what + " must not be null");
        }
        final int capacity = buffer.capacity();
        if (capacity <= 0 || capacity % GrantConstants.PAGE_LENGTH != 0)
        {
            throw new IllegalArgumentException(what + ": capacity must be a positive multiple of " +
                GrantConstants.PAGE_LENGTH + ": capacity=" + capacity);
        }
        // compare-and-swap and 64-bit frame stores must be aligned to be atomic
        buffer.verifyAlignment();
    }

    /**
     * Grant-table version of this table's layout.
     *
     * @return 1 or 2.
     */
    public abstract int version();

    /**
     * Number of refs in the table (grant frames times entries per frame).
     *
     * @return the entry count.
     */
    public final int entryCount()
    {
        return entryCount;
    }

    /**
     * The grant frames (for v2 see also {@link GrantTableV2#statusFrames()}).
     *
     * @return the buffer holding the entries.
     */
    public final AtomicBuffer frames()
    {
        return frames;
    }

    /**
     * Grants {@code domid} access to a whole frame: frame first, then flags (type permit_access, readonly
     * subflag) and domid with a release store.
     *
     * @param ref      grant ref, {@code 0 <= ref < entryCount()}.
     * @param domid    domain allowed to access the frame (u16).
     * @param frame    frame number (an unsigned 64-bit value; v1 holds at most {@link GrantConstants#MAX_V1_FRAME}).
     * @param readOnly whether the peer may only read.
     * @return {@link GrantResult#OK}, or BAD_REF, BAD_ARGUMENT, FRAME_OUT_OF_RANGE (v1), ALREADY_GRANTED,
     *         STILL_IN_USE; on any failure the entry is left byte-for-byte as it was.
     */
    public abstract int permitAccess(int ref, int domid, long frame, boolean readOnly);

    /**
     * Grants {@code domid} access to {@code length} bytes at {@code offset} of a frame (v2 {@code GTF_sub_page}).
     *
     * @param ref      grant ref.
     * @param domid    domain allowed to access the bytes (u16).
     * @param frame    frame number.
     * @param offset   first granted byte in the page.
     * @param length   number of granted bytes; {@code offset + length <= 4096}.
     * @param readOnly whether the peer may only read.
     * @return {@link GrantResult#OK}, {@link GrantResult#NOT_SUPPORTED} in v1, or the failures of
     *         {@link #permitAccess}; on failure nothing is written.
     */
    public abstract int permitSubPageAccess(int ref, int domid, long frame, int offset, int length, boolean readOnly);

    /**
     * Ends the grant of {@code ref} unless the peer still uses it.
     *
     * @param ref grant ref.
     * @return {@link GrantResult#OK} when the entry is invalid and the peer no longer uses the page (the ref and
     *         page may be reused), {@link GrantResult#STILL_IN_USE} when the peer still maps it (v1: the entry is
     *         left valid; v2: the entry is already invalid; in both the ref and its page must not be reused until a
     *         later call returns OK), or {@link GrantResult#BAD_REF}.
     */
    public abstract int endAccess(int ref);

    /**
     * Whether the peer has {@code GTF_reading} or {@code GTF_writing} set for {@code ref} (v1 flags, v2 status).
     *
     * @param ref grant ref.
     * @return true while the peer uses the page; false also for a ref outside the table.
     */
    public abstract boolean isInUse(int ref);

    /**
     * Whether {@code ref} names an entry of this table.
     *
     * @param ref grant ref.
     * @return {@code 0 <= ref < entryCount()}.
     */
    public final boolean isValidRef(final int ref)
    {
        return ref >= 0 && ref < entryCount;
    }

    static boolean isDomid(final int domid)
    {
        return (domid & ~GrantConstants.MAX_DOMID) == 0;
    }

    static int headerWord(final int flags, final int domid)
    {
        return (domid << 16) | flags;
    }
}
