package org.xennet.grant;

/**
 * The {@code GTF_*} flag values of {@code grant_table.h} for the u16 {@code flags} of a grant entry (and, for
 * {@link #READING}/{@link #WRITING}, of a v2 {@code grant_status_t}).
 */
public final class GrantFlags
{
    /** {@code GTF_invalid}: the entry grants nothing. */
    public static final int INVALID = 0;

    /** {@code GTF_permit_access}: the domain in {@code domid} may map or copy the frame. */
    public static final int PERMIT_ACCESS = 1;

    /** {@code GTF_accept_transfer}: the domain in {@code domid} may transfer a page to this domain. */
    public static final int ACCEPT_TRANSFER = 2;

    /** {@code GTF_transitive} (v2): access is delegated to another domain's grant. */
    public static final int TRANSITIVE = 3;

    /** {@code GTF_type_mask}: the type bits of {@code flags}. */
    public static final int TYPE_MASK = 3;

    /** {@code _GTF_readonly}: bit number of {@link #READONLY}. */
    public static final int READONLY_BIT = 2;

    /** {@code GTF_readonly}: the peer may only read the frame. */
    public static final int READONLY = 1 << READONLY_BIT;

    /** {@code _GTF_reading}: bit number of {@link #READING}. */
    public static final int READING_BIT = 3;

    /** {@code GTF_reading} [XEN]: the peer currently reads the frame. */
    public static final int READING = 1 << READING_BIT;

    /** {@code _GTF_writing}: bit number of {@link #WRITING}. */
    public static final int WRITING_BIT = 4;

    /** {@code GTF_writing} [XEN]: the peer currently writes the frame. */
    public static final int WRITING = 1 << WRITING_BIT;

    /** {@code _GTF_PWT}: bit number of {@link #PWT}. */
    public static final int PWT_BIT = 5;

    /** {@code GTF_PWT}: cache attribute, page write-through. */
    public static final int PWT = 1 << PWT_BIT;

    /** {@code _GTF_PCD}: bit number of {@link #PCD}. */
    public static final int PCD_BIT = 6;

    /** {@code GTF_PCD}: cache attribute, page cache disable. */
    public static final int PCD = 1 << PCD_BIT;

    /** {@code _GTF_PAT}: bit number of {@link #PAT}. */
    public static final int PAT_BIT = 7;

    /** {@code GTF_PAT}: cache attribute, page attribute table. */
    public static final int PAT = 1 << PAT_BIT;

    /** {@code _GTF_sub_page}: bit number of {@link #SUB_PAGE}. */
    public static final int SUB_PAGE_BIT = 8;

    /** {@code GTF_sub_page} (v2): only {@code sub_page.page_off .. +length} of the frame is granted. */
    public static final int SUB_PAGE = 1 << SUB_PAGE_BIT;

    /** {@code _GTF_transfer_committed}: bit number of {@link #TRANSFER_COMMITTED} (shares bit 2). */
    public static final int TRANSFER_COMMITTED_BIT = 2;

    /** {@code GTF_transfer_committed}: a transfer is in progress (same bit as {@link #READONLY}). */
    public static final int TRANSFER_COMMITTED = 1 << TRANSFER_COMMITTED_BIT;

    /** {@code _GTF_transfer_completed}: bit number of {@link #TRANSFER_COMPLETED} (shares bit 3). */
    public static final int TRANSFER_COMPLETED_BIT = 3;

    /** {@code GTF_transfer_completed}: a transfer finished (same bit as {@link #READING}). */
    public static final int TRANSFER_COMPLETED = 1 << TRANSFER_COMPLETED_BIT;

    /** {@code GTF_reading | GTF_writing}: the bits that mean "the peer still uses the frame". */
    public static final int IN_USE_MASK = READING | WRITING;

    private GrantFlags()
    {
    }
}
