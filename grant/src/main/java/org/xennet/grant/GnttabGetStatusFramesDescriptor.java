package org.xennet.grant;

/**
 * Layout of {@code struct gnttab_get_status_frames} ({@code GNTTABOP_get_status_frames} argument, LP64).
 *
 * <pre>
 *  0                 4        6        8                                   16
 *  +-----------------+--------+--------+-----------------------------------+
 *  | nr_frames IN    | dom IN | status | frame_list (guest handle, u64 *)  |
 *  +-----------------+--------+--------+-----------------------------------+
 * </pre>
 */
public final class GnttabGetStatusFramesDescriptor
{
    /** Offset of {@code nr_frames} (u32, IN). */
    public static final int NR_FRAMES_OFFSET = 0;
    /** Offset of {@code dom} (domid_t, IN). */
    public static final int DOM_OFFSET = 4;
    /** Offset of {@code status} (s16, OUT). */
    public static final int STATUS_OFFSET = 6;
    /** Offset of {@code frame_list} (guest handle, 8 bytes on LP64). */
    public static final int FRAME_LIST_OFFSET = 8;
    /** {@code sizeof(struct gnttab_get_status_frames)}. */
    public static final int LENGTH = 16;

    private GnttabGetStatusFramesDescriptor()
    {
    }
}
