package org.xennet.grant;

/**
 * Layout of {@code struct gnttab_setup_table} ({@code GNTTABOP_setup_table} argument, LP64).
 *
 * <pre>
 *  0        2        4                 8        10                16                                  24
 *  +--------+--------+-----------------+--------+-----------------+-----------------------------------+
 *  | dom IN |  pad   | nr_frames IN    | status |       pad       | frame_list (guest handle)         |
 *  +--------+--------+-----------------+--------+-----------------+-----------------------------------+
 * </pre>
 */
public final class GnttabSetupTableDescriptor
{
    /** Offset of {@code dom} (domid_t, IN). */
    public static final int DOM_OFFSET = 0;
    /** Offset of {@code nr_frames} (u32, IN). */
    public static final int NR_FRAMES_OFFSET = 4;
    /** Offset of {@code status} (s16, OUT). */
    public static final int STATUS_OFFSET = 8;
    /** Offset of {@code frame_list} (guest handle, 8 bytes on LP64). */
    public static final int FRAME_LIST_OFFSET = 16;
    /** {@code sizeof(struct gnttab_setup_table)}. */
    public static final int LENGTH = 24;

    private GnttabSetupTableDescriptor()
    {
    }
}
