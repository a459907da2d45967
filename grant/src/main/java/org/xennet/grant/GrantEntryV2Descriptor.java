package org.xennet.grant;

/**
 * Layout of {@code union grant_entry_v2} ({@code grant_table.h}): one 16-octet entry per grant ref, 256 per 4 KiB
 * grant frame, plus one {@code grant_status_t} (u16) per ref in separate status frames (2048 per frame).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       hdr.flags  [GST]        |        hdr.domid  [GST]       |  0
 *  +-------------------------------+-------------------------------+
 *  | full_page: pad0 (u32)                                         |  4
 *  | sub_page:  page_off (u16)     |  sub_page: length (u16)       |
 *  | transitive: trans_domid (u16) |  transitive: pad0 (u16)       |
 *  +-------------------------------+-------------------------------+
 *  | full_page/sub_page: frame (u64, low half)                     |  8
 *  | transitive: gref (u32)                                        |
 *  +---------------------------------------------------------------+
 *  | full_page/sub_page: frame (u64, high half)                    | 12
 *  +---------------------------------------------------------------+
 *
 *  status frames: grant_status_t (u16) per ref at ref * 2  [XEN]: GTF_reading / GTF_writing
 * </pre>
 *
 * In v2 the guest writes only the entry; the peer writes only the status, so ending access needs no
 * compare-and-swap: clear {@code hdr.flags}, full fence, then read the status.
 */
public final class GrantEntryV2Descriptor
{
    /** Offset of {@code hdr.flags} (u16, {@link GrantFlags}: type and guest subflags only). */
    public static final int FLAGS_OFFSET = 0;

    /** Offset of {@code hdr.domid} (u16). */
    public static final int DOMID_OFFSET = 2;

    /** Offset of the aligned 32-bit {flags, domid} header word. */
    public static final int HEADER_WORD_OFFSET = 0;

    /** Length of {@code struct grant_entry_header}. */
    public static final int HEADER_LENGTH = 4;

    /** Offset of {@code full_page.pad0} (u32). */
    public static final int FULL_PAGE_PAD0_OFFSET = 4;

    /** Offset of {@code full_page.frame} (u64). */
    public static final int FULL_PAGE_FRAME_OFFSET = 8;

    /** Offset of {@code sub_page.page_off} (u16): first granted byte in the page. */
    public static final int SUB_PAGE_PAGE_OFF_OFFSET = 4;

    /** Offset of {@code sub_page.length} (u16): number of granted bytes. */
    public static final int SUB_PAGE_LENGTH_OFFSET = 6;

    /** Offset of {@code sub_page.frame} (u64). */
    public static final int SUB_PAGE_FRAME_OFFSET = 8;

    /** Offset of {@code transitive.trans_domid} (u16): the domain that granted the original ref. */
    public static final int TRANSITIVE_DOMID_OFFSET = 4;

    /** Offset of {@code transitive.pad0} (u16). */
    public static final int TRANSITIVE_PAD0_OFFSET = 6;

    /** Offset of {@code transitive.gref} (u32): the ref in {@code trans_domid}'s table. */
    public static final int TRANSITIVE_GREF_OFFSET = 8;

    /** Length of {@code struct transitive} inside the union (the union is {@link #LENGTH}). */
    public static final int TRANSITIVE_LENGTH = 12;

    /** Length of one entry in octets ({@code sizeof(union grant_entry_v2)}). */
    public static final int LENGTH = 16;

    /** Entries per 4 KiB grant frame. */
    public static final int ENTRIES_PER_FRAME = GrantConstants.PAGE_LENGTH / LENGTH;

    /** Length of one {@code grant_status_t} (u16). */
    public static final int STATUS_LENGTH = 2;

    /** Status entries per 4 KiB status frame. */
    public static final int STATUS_ENTRIES_PER_FRAME = GrantConstants.PAGE_LENGTH / STATUS_LENGTH;

    private GrantEntryV2Descriptor()
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

    /**
     * Offset of a ref's {@code grant_status_t} within the status frames.
     *
     * @param ref grant ref (non-negative).
     * @return {@code ref * STATUS_LENGTH}.
     */
    public static int statusOffset(final int ref)
    {
        return ref * STATUS_LENGTH;
    }

    /**
     * Number of status frames Xen provides for a table of {@code grantFrames} v2 grant frames
     * ({@code ceil(grantFrames / 8)}).
     *
     * @param grantFrames number of v2 grant frames.
     * @return number of status frames.
     */
    public static int statusFrameCount(final int grantFrames)
    {
        return (grantFrames * ENTRIES_PER_FRAME + STATUS_ENTRIES_PER_FRAME - 1) / STATUS_ENTRIES_PER_FRAME;
    }
}
