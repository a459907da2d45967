package org.xennet.grant;

/**
 * Layout of {@code struct grant_entry_v1} ({@code grant_table.h}): one 8-octet entry per grant ref, 512 per 4 KiB
 * grant frame.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          flags  [GST/XEN]     |            domid  [GST]       |  0
 *  +-------------------------------+-------------------------------+
 *  |                          frame  [GST]                         |  4
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The guest writes domid and frame, then the type in {@code flags} last; the peer (Xen) sets
 * {@code GTF_reading}/{@code GTF_writing} in the same {@code flags} while it uses the page, which is why ending
 * access needs a compare-and-swap on the aligned 32-bit {flags, domid} word at offset 0 (low half = flags on
 * little-endian).
 */
public final class GrantEntryV1Descriptor
{
    /** Offset of {@code flags} (u16, {@link GrantFlags}). */
    public static final int FLAGS_OFFSET = 0;

    /** Offset of {@code domid} (u16): the domain allowed to use the grant. */
    public static final int DOMID_OFFSET = 2;

    /** Offset of the aligned 32-bit {flags, domid} word updated by compare-and-swap. */
    public static final int HEADER_WORD_OFFSET = 0;

    /** Offset of {@code frame} (u32): the granted frame number, so v1 reaches frames up to 0xFFFFFFFF only. */
    public static final int FRAME_OFFSET = 4;

    /** Length of one entry in octets ({@code sizeof(struct grant_entry_v1)}). */
    public static final int LENGTH = 8;

    /** Entries per 4 KiB grant frame. */
    public static final int ENTRIES_PER_FRAME = GrantConstants.PAGE_LENGTH / LENGTH;

    private GrantEntryV1Descriptor()
    {
    }

    /**
     * Offset of a ref's entry within the grant frames.
     *
     * @param ref grant ref (non-negative).
     * @return {@code ref * LENGTH}.
     */
    public static int entryOffset(final int ref)
    {
        return ref * LENGTH;
    }
}
