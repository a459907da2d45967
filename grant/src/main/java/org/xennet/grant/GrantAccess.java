package org.xennet.grant;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The peer's side of a grant: what Xen does for a backend domain's grant copy ({@code GNTTABOP_copy}). Every
 * copy validates the entry, marks it in use, copies, and unmarks it; every invalid use is a {@code GNTST_*} code
 * (never an exception, never an access outside the page, whatever the entry bytes hold).
 *
 * <p>Per copy:
 * <ol>
 *   <li>arguments: ref inside the table ({@code GNTST_bad_gntref}), copy range inside the page and the
 *       caller's buffer ({@code GNTST_bad_copy_arg});</li>
 *   <li>the {flags, domid} header is read once into a private copy and validated: type permit_access
 *       ({@code GNTST_permission_denied} otherwise, {@code GNTST_general_error} for transitive grants, which this
 *       model does not follow), domid equal to the accessor ({@code GNTST_permission_denied}), no write to a
 *       read-only grant ({@code GNTST_permission_denied});</li>
 *   <li>mark: v1 sets {@code GTF_reading} (and {@code GTF_writing}) by compare-and-swap of the very header word
 *       just validated, so a guest that ended the grant meanwhile makes the swap fail and the entry is
 *       re-validated; v2 sets the bits in the ref's {@code grant_status_t}, full fence, re-reads the header and
 *       backs off ({@code GNTST_general_error}) if the guest changed it;</li>
 *   <li>frame (and v2 sub-page window) are read once after marking; the copy range must lie in the window
 *       ({@code GNTST_bad_copy_arg}) and the frame must be mapped by the {@link FrameMapper}
 *       ({@code GNTST_bad_page});</li>
 *   <li>copy, then unmark.</li>
 * </ol>
 *
 * <p>v2 status entries are u16 and Agrona has no 16-bit compare-and-swap: since only the peer side writes status
 * entries, the bits are set and cleared by compare-and-swap on the aligned 32-bit word holding the entry (and its
 * neighbour, which other copies may update at the same time).
 *
 * <p>Several concurrent copies on one ref (two backends reading the same page) share the marks: like Xen's
 * active-entry pin counts, each {@link GrantTable} object keeps a private per-ref count of active copies and
 * writes, and a bit is cleared only when its count drops to zero. Count updates and the mark/unmark they decide
 * are serialised per ref by a short spin on that count word (as Xen holds its active-entry lock), never across the
 * copy itself; the lock is taken by compare-and-swap and released by a release store, as a spin lock is. Per
 * uncontended copy: four atomic read-modify-writes (lock, mark, lock, unmark) and no other fence. Limitation: the
 * counts live in the Java {@link GrantTable} object, so all accessors of one table
 * must share that object; peers in different processes over the same frames would each clear the bits on their
 * own last copy.
 *
 * <p>Thread-safe: any number of threads may copy through one instance or several instances over one table.
 * Copies allocate nothing.
 */
public final class GrantAccess
{
    /** Attempts to mark a v1 entry before it counts as unstable ({@code GNTST_general_error}), as in Xen. */
    static final int MAX_MARK_ATTEMPTS = 16;

    /** Attempts to clear a v1 mark against a guest that keeps rewriting its header (it only hurts itself). */
    static final int MAX_UNMARK_ATTEMPTS = 1024;

    private static final int COPY_PIN = 1;
    private static final int COPY_PIN_MASK = 0x7FFF;
    private static final int WRITE_PIN = 1 << 15;
    private static final int WRITE_PIN_MASK = 0x7FFF << 15;

    private final GrantTable table;
    private final AtomicBuffer frames;
    private final AtomicBuffer statusFrames;
    private final AtomicIntegerArray pins;
    private final boolean v2;
    private final int accessorDomid;
    private final FrameMapper mapper;

    /**
     * Creates the grant-copy service of one accessing domain.
     *
     * @param table         the granting domain's table (shared with every other accessor of it).
     * @param accessorDomid domain on whose behalf copies are made (u16); entries must name it.
     * @param mapper        how granted frames are reached.
     */
    public GrantAccess(final GrantTable table, final int accessorDomid, final FrameMapper mapper)
    {
        if (null == table || null == mapper)
        {
            throw new IllegalArgumentException("table and mapper must not be null: table=" + table +
                ", mapper=" + mapper);
        }
        if (!GrantTable.isDomid(accessorDomid))
        {
            throw new IllegalArgumentException("accessorDomid must be a u16: accessorDomid=" + accessorDomid);
        }
        this.table = table;
        this.frames = table.frames;
        this.pins = table.activePins;
        this.v2 = table instanceof GrantTableV2;
        this.statusFrames = v2 ? ((GrantTableV2)table).statusFrames() : null;
        this.accessorDomid = accessorDomid;
        this.mapper = mapper;
    }

    /**
     * The table this service copies through.
     *
     * @return the granting domain's table.
     */
    public GrantTable table()
    {
        return table;
    }

    /**
     * Domain on whose behalf copies are made.
     *
     * @return the accessor's domid.
     */
    public int accessorDomid()
    {
        return accessorDomid;
    }

    /**
     * Copies {@code length} bytes at {@code pageOffset} of the page granted by {@code ref} into {@code dst}.
     *
     * @param ref        grant ref (untrusted).
     * @param pageOffset offset in the granted page.
     * @param dst        destination.
     * @param dstOffset  offset in {@code dst}.
     * @param length     bytes to copy.
     * @return {@code GNTST_okay} or a negative {@code GNTST_*} code ({@link GrantConstants}); on failure nothing
     *         was copied and no mark is left.
     */
    public int copyFromGrant(
        final int ref, final int pageOffset, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        final int check = checkArguments(ref, pageOffset, dstOffset, length, dst.capacity());
        if (check != GrantConstants.GNTST_OKAY)
        {
            return check;
        }
        final long source = acquire(ref, false, pageOffset, length);
        if (source < 0)
        {
            return (int)source;
        }
        dst.putBytes(dstOffset, mapper.buffer(), (int)source, length);
        release(ref, false);
        return GrantConstants.GNTST_OKAY;
    }

    /**
     * Copies {@code length} bytes of {@code src} into the page granted by {@code ref} at {@code pageOffset};
     * refuses read-only grants ({@code GNTST_permission_denied}).
     *
     * @param ref        grant ref (untrusted).
     * @param pageOffset offset in the granted page.
     * @param src        source.
     * @param srcOffset  offset in {@code src}.
     * @param length     bytes to copy.
     * @return {@code GNTST_okay} or a negative {@code GNTST_*} code; on failure nothing was written.
     */
    public int copyToGrant(
        final int ref, final int pageOffset, final DirectBuffer src, final int srcOffset, final int length)
    {
        final int check = checkArguments(ref, pageOffset, srcOffset, length, src.capacity());
        if (check != GrantConstants.GNTST_OKAY)
        {
            return check;
        }
        final long target = acquire(ref, true, pageOffset, length);
        if (target < 0)
        {
            return (int)target;
        }
        mapper.buffer().putBytes((int)target, src, srcOffset, length);
        release(ref, true);
        return GrantConstants.GNTST_OKAY;
    }

    private int checkArguments(
        final int ref, final int pageOffset, final int bufferOffset, final int length, final int bufferCapacity)
    {
        if (!table.isValidRef(ref))
        {
            return GrantConstants.GNTST_BAD_GNTREF;
        }
        if (pageOffset < 0 || length < 0 || bufferOffset < 0 ||
            (long)pageOffset + length > GrantConstants.PAGE_LENGTH ||
            (long)bufferOffset + length > bufferCapacity)
        {
            return GrantConstants.GNTST_BAD_COPY_ARG;
        }
        return GrantConstants.GNTST_OKAY;
    }

    /**
     * Validates and marks the entry, then locates the bytes.
     *
     * @return index in {@code mapper.buffer()} of the first byte, or a negative GNTST code (nothing left marked).
     */
    private long acquire(final int ref, final boolean write, final int pageOffset, final int length)
    {
        final int pinned = lockPins(ref);
        final long header = v2 ? markV2(ref, write, pinned) : markV1(ref, write);
        if (header < 0)
        {
            unlockPins(ref, pinned);
            return header;
        }
        unlockPins(ref, pinned + COPY_PIN + (write ? WRITE_PIN : 0));
        final long index = locate(ref, (int)header, pageOffset, length);
        if (index < 0)
        {
            release(ref, write);
        }
        return index;
    }

    private void release(final int ref, final boolean write)
    {
        final int pinned = lockPins(ref) - COPY_PIN - (write ? WRITE_PIN : 0);
        final int clear = ((pinned & COPY_PIN_MASK) == 0 ? GrantFlags.READING : 0) |
            ((pinned & WRITE_PIN_MASK) == 0 ? GrantFlags.WRITING : 0);
        // the CAS below is a full barrier: the copy completes before the guest can see the page unused
        if (v2)
        {
            clearStatusBits(ref, clear);
        }
        else
        {
            clearHeaderBits(ref, clear);
        }
        unlockPins(ref, pinned);
    }

    private int validate(final int header, final boolean write)
    {
        final int flags = header & 0xFFFF;
        final int type = flags & GrantFlags.TYPE_MASK;
        if (v2 && type == GrantFlags.TRANSITIVE)
        {
            return GrantConstants.GNTST_GENERAL_ERROR; // transitive grants are not followed by this model
        }
        if (type != GrantFlags.PERMIT_ACCESS || (header >>> 16) != accessorDomid)
        {
            return GrantConstants.GNTST_PERMISSION_DENIED;
        }
        if (write && (flags & GrantFlags.READONLY) != 0)
        {
            return GrantConstants.GNTST_PERMISSION_DENIED;
        }
        return GrantConstants.GNTST_OKAY;
    }

    /** @return the validated header word (as an unsigned value), or a negative GNTST code. */
    private long markV1(final int ref, final boolean write)
    {
        final int offset = GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.HEADER_WORD_OFFSET;
        final int bits = GrantFlags.READING | (write ? GrantFlags.WRITING : 0);
        for (int attempt = 0; attempt < MAX_MARK_ATTEMPTS; attempt++)
        {
            final int header = frames.getIntVolatile(offset);
            final int status = validate(header, write);
            if (status != GrantConstants.GNTST_OKAY)
            {
                return status;
            }
            // swapping against the validated word re-validates: a guest that ended the grant makes this fail
            final int marked = header | bits;
            if (marked == header || frames.compareAndSetInt(offset, header, marked))
            {
                return header & 0xFFFF_FFFFL;
            }
        }
        return GrantConstants.GNTST_GENERAL_ERROR; // the guest keeps changing the entry: unstable, as Xen says
    }

    /** @return the validated header word (as an unsigned value), or a negative GNTST code. */
    private long markV2(final int ref, final boolean write, final int pinned)
    {
        final int offset = GrantEntryV2Descriptor.entryOffset(ref) + GrantEntryV2Descriptor.HEADER_WORD_OFFSET;
        final int header = frames.getIntVolatile(offset);
        final int status = validate(header, write);
        if (status != GrantConstants.GNTST_OKAY)
        {
            return status;
        }
        final int bits = ((pinned & COPY_PIN_MASK) == 0 ? GrantFlags.READING : 0) |
            (write && (pinned & WRITE_PIN_MASK) == 0 ? GrantFlags.WRITING : 0);
        setStatusBits(ref, bits);
        // xen_mb(): the status mark is visible before we re-read the flags; pairs with the guest's
        // clear-flags / full fence / read-status in GrantTableV2.endAccess, so one of the two sides backs off
        VarHandle.fullFence();
        if (frames.getIntVolatile(offset) != header)
        {
            clearStatusBits(ref, bits);
            return GrantConstants.GNTST_GENERAL_ERROR; // the guest changed or ended the grant meanwhile
        }
        return header & 0xFFFF_FFFFL;
    }

    /** Reads frame and sub-page window once, after marking; checks the range and the mapping. */
    private long locate(final int ref, final int header, final int pageOffset, final int length)
    {
        final long frame;
        int windowStart = 0;
        int windowEnd = GrantConstants.PAGE_LENGTH;
        if (v2)
        {
            final int entry = GrantEntryV2Descriptor.entryOffset(ref);
            if ((header & GrantFlags.SUB_PAGE) != 0)
            {
                windowStart = frames.getShort(entry + GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET) & 0xFFFF;
                windowEnd = windowStart +
                    (frames.getShort(entry + GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET) & 0xFFFF);
            }
            frame = frames.getLong(entry + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET);
        }
        else
        {
            frame = frames.getInt(GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.FRAME_OFFSET) &
                0xFFFF_FFFFL;
        }
        if (windowEnd > GrantConstants.PAGE_LENGTH || pageOffset < windowStart || pageOffset + length > windowEnd)
        {
            return GrantConstants.GNTST_BAD_COPY_ARG;
        }
        final long page = mapper.pageOffset(frame);
        if (page < 0 || page > mapper.buffer().capacity() - (long)GrantConstants.PAGE_LENGTH)
        {
            return GrantConstants.GNTST_BAD_PAGE;
        }
        return page + pageOffset;
    }

    private void clearHeaderBits(final int ref, final int bits)
    {
        if (bits == 0)
        {
            return;
        }
        final int offset = GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.HEADER_WORD_OFFSET;
        for (int attempt = 0; attempt < MAX_UNMARK_ATTEMPTS; attempt++)
        {
            final int header = frames.getIntVolatile(offset);
            final int cleared = header & ~bits;
            if (cleared == header || frames.compareAndSetInt(offset, header, cleared))
            {
                return;
            }
        }
    }

    private void setStatusBits(final int ref, final int bits)
    {
        if (bits == 0)
        {
            return;
        }
        final int statusOffset = GrantEntryV2Descriptor.statusOffset(ref);
        final int wordOffset = statusOffset & ~3;
        final int shifted = bits << ((statusOffset & 2) * 8);
        while (true)
        {
            final int word = statusFrames.getIntVolatile(wordOffset);
            if ((word | shifted) == word || statusFrames.compareAndSetInt(wordOffset, word, word | shifted))
            {
                return;
            }
        }
    }

    private void clearStatusBits(final int ref, final int bits)
    {
        if (bits == 0)
        {
            return;
        }
        final int statusOffset = GrantEntryV2Descriptor.statusOffset(ref);
        final int wordOffset = statusOffset & ~3;
        final int shifted = bits << ((statusOffset & 2) * 8);
        while (true)
        {
            final int word = statusFrames.getIntVolatile(wordOffset);
            if ((word & ~shifted) == word || statusFrames.compareAndSetInt(wordOffset, word, word & ~shifted))
            {
                return;
            }
        }
    }

    private int lockPins(final int ref)
    {
        final AtomicIntegerArray pins = this.pins;
        while (true)
        {
            final int pinned = pins.get(ref);
            if ((pinned & GrantTable.PIN_LOCKED) == 0 &&
                pins.compareAndSet(ref, pinned, pinned | GrantTable.PIN_LOCKED))
            {
                return pinned;
            }
            Thread.onSpinWait();
        }
    }

    private void unlockPins(final int ref, final int pinned)
    {
        // a spin lock is released by a release store (what Xen's spin_unlock is): the mark/unmark, itself a CAS,
        // happens-before the next holder's acquiring CAS. A volatile store would add a full fence per lock, two per
        // copy, and order nothing more that anyone relies on.
        pins.lazySet(ref, pinned);
    }
}
