package org.xennet.grant;

/**
 * Layout of {@code struct gnttab_set_version} ({@code GNTTABOP_set_version} argument).
 *
 * <pre>
 *  0                 4
 *  +-----------------+
 *  | version  IN/OUT |
 *  +-----------------+
 * </pre>
 */
public final class GnttabSetVersionDescriptor
{
    /** Offset of {@code version} (u32, IN/OUT). */
    public static final int VERSION_OFFSET = 0;
    /** {@code sizeof(struct gnttab_set_version)}. */
    public static final int LENGTH = 4;

    private GnttabSetVersionDescriptor()
    {
    }
}
