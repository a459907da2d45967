package org.xennet.grant;

/**
 * Layout of {@code struct gnttab_query_size} ({@code GNTTABOP_query_size} argument, LP64).
 *
 * <pre>
 *  0        2        4                 8                12       14       16
 *  +--------+--------+-----------------+-----------------+--------+--------+
 *  | dom IN |  pad   | nr_frames OUT   | max_nr_frames   | status |  pad   |
 *  +--------+--------+-----------------+-----------------+--------+--------+
 * </pre>
 */
public final class GnttabQuerySizeDescriptor
{
    /** Offset of {@code dom} (domid_t, IN). */
    public static final int DOM_OFFSET = 0;
    /** Offset of {@code nr_frames} (u32, OUT): current grant frames. */
    public static final int NR_FRAMES_OFFSET = 4;
    /** Offset of {@code max_nr_frames} (u32, OUT). */
    public static final int MAX_NR_FRAMES_OFFSET = 8;
    /** Offset of {@code status} (s16, OUT): a {@code GNTST_*} code. */
    public static final int STATUS_OFFSET = 12;
    /** {@code sizeof(struct gnttab_query_size)}. */
    public static final int LENGTH = 16;

    private GnttabQuerySizeDescriptor()
    {
    }
}
