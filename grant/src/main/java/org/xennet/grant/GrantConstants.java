package org.xennet.grant;

/**
 * Grant-table constants of {@code grant_table.h} and {@code xen.h}: reserved refs, {@code DOMID_SELF}, the
 * {@code GNTTABOP_*} hypercall operations and the {@code GNTST_*} status codes.
 */
public final class GrantConstants
{
    /** Length of a grant frame (an x86 page). */
    public static final int PAGE_LENGTH = 4096;

    /** log2 of {@link #PAGE_LENGTH}: a frame number times the page length is a byte address. */
    public static final int PAGE_SHIFT = 12;

    /** {@code GNTTAB_NR_RESERVED_ENTRIES}: refs 0..7 belong to the toolstack and are never allocated. */
    public static final int NR_RESERVED_ENTRIES = 8;

    /** {@code GNTTAB_RESERVED_CONSOLE}: ref of the console ring. */
    public static final int RESERVED_CONSOLE = 0;

    /** {@code GNTTAB_RESERVED_XENSTORE}: ref of the xenstore ring. */
    public static final int RESERVED_XENSTORE = 1;

    /** {@code DOMID_SELF}: "this domain" in hypercalls; iPXE also uses it to mark allocated, ungranted refs. */
    public static final int DOMID_SELF = 0x7FF0;

    /** Largest domid that fits the u16 {@code domid_t}. */
    public static final int MAX_DOMID = 0xFFFF;

    /** Largest frame a v1 entry can hold (its {@code frame} is u32): v1 reaches byte addresses below 2^44. */
    public static final long MAX_V1_FRAME = 0xFFFF_FFFFL;

    /** {@code __HYPERVISOR_grant_table_op}: the hypercall number of the grant-table operations. */
    public static final int HYPERVISOR_GRANT_TABLE_OP = 20;

    /** {@code GNTTABOP_map_grant_ref}. */
    public static final int GNTTABOP_MAP_GRANT_REF = 0;
    /** {@code GNTTABOP_unmap_grant_ref}. */
    public static final int GNTTABOP_UNMAP_GRANT_REF = 1;
    /** {@code GNTTABOP_setup_table}. */
    public static final int GNTTABOP_SETUP_TABLE = 2;
    /** {@code GNTTABOP_dump_table}. */
    public static final int GNTTABOP_DUMP_TABLE = 3;
    /** {@code GNTTABOP_transfer}. */
    public static final int GNTTABOP_TRANSFER = 4;
    /** {@code GNTTABOP_copy}. */
    public static final int GNTTABOP_COPY = 5;
    /** {@code GNTTABOP_query_size}. */
    public static final int GNTTABOP_QUERY_SIZE = 6;
    /** {@code GNTTABOP_unmap_and_replace}. */
    public static final int GNTTABOP_UNMAP_AND_REPLACE = 7;
    /** {@code GNTTABOP_set_version} (interface version 0x0003020a or later). */
    public static final int GNTTABOP_SET_VERSION = 8;
    /** {@code GNTTABOP_get_status_frames}. */
    public static final int GNTTABOP_GET_STATUS_FRAMES = 9;
    /** {@code GNTTABOP_get_version}. */
    public static final int GNTTABOP_GET_VERSION = 10;
    /** {@code GNTTABOP_swap_grant_ref}. */
    public static final int GNTTABOP_SWAP_GRANT_REF = 11;
    /** {@code GNTTABOP_cache_flush}. */
    public static final int GNTTABOP_CACHE_FLUSH = 12;

    /** {@code GNTST_okay}: the operation succeeded. */
    public static final int GNTST_OKAY = 0;
    /** {@code GNTST_general_error}: unspecified failure (also: unstable entry, transitive grant not supported). */
    public static final int GNTST_GENERAL_ERROR = -1;
    /** {@code GNTST_bad_domain}: unrecognised domain id. */
    public static final int GNTST_BAD_DOMAIN = -2;
    /** {@code GNTST_bad_gntref}: the grant ref is outside the table. */
    public static final int GNTST_BAD_GNTREF = -3;
    /** {@code GNTST_bad_handle}: unrecognised or inappropriate map handle. */
    public static final int GNTST_BAD_HANDLE = -4;
    /** {@code GNTST_bad_virt_addr}: inappropriate virtual address to map. */
    public static final int GNTST_BAD_VIRT_ADDR = -5;
    /** {@code GNTST_bad_dev_addr}: inappropriate device address to unmap. */
    public static final int GNTST_BAD_DEV_ADDR = -6;
    /** {@code GNTST_no_device_space}: out of space in the I/O MMU. */
    public static final int GNTST_NO_DEVICE_SPACE = -7;
    /** {@code GNTST_permission_denied}: not granted to this domain, or a write to a read-only grant. */
    public static final int GNTST_PERMISSION_DENIED = -8;
    /** {@code GNTST_bad_page}: the granted frame is not a page this domain can reach. */
    public static final int GNTST_BAD_PAGE = -9;
    /** {@code GNTST_bad_copy_arg}: a copy range crosses the page or the sub-page window. */
    public static final int GNTST_BAD_COPY_ARG = -10;
    /** {@code GNTST_address_too_big}: the transfer destination address is too big for the domain. */
    public static final int GNTST_ADDRESS_TOO_BIG = -11;
    /** {@code GNTST_eagain}: the operation is not done; try again. */
    public static final int GNTST_EAGAIN = -12;
    /** {@code GNTST_no_space}: out of space (handles etc.). */
    public static final int GNTST_NO_SPACE = -13;

    private static final String[] GNTST_NAMES =
    {
        "GNTST_okay", "GNTST_general_error", "GNTST_bad_domain", "GNTST_bad_gntref", "GNTST_bad_handle",
        "GNTST_bad_virt_addr", "GNTST_bad_dev_addr", "GNTST_no_device_space", "GNTST_permission_denied",
        "GNTST_bad_page", "GNTST_bad_copy_arg", "GNTST_address_too_big", "GNTST_eagain", "GNTST_no_space"
    };

    private GrantConstants()
    {
    }

    /**
     * Name of a {@code GNTST_*} status code, spelled as in {@code grant_table.h}.
     *
     * @param status a status code.
     * @return its name, or {@code "GNTST_unknown(<status>)"} for values outside 0..-13.
     */
    public static String gntstString(final int status)
    {
        return status <= 0 && status >= GNTST_NO_SPACE ? GNTST_NAMES[-status] : "GNTST_unknown(" + status + ")";
    }
}
