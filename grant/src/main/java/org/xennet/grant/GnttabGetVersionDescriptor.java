package org.xennet.grant;

/**
 * Layout of {@code struct gnttab_get_version} ({@code GNTTABOP_get_version} argument).
 *
 * <pre>
 *  0        2        4                 8
 *  +--------+--------+-----------------+
 *  | dom IN | pad IN | version OUT     |
 *  +--------+--------+-----------------+
 * </pre>
 */
public final class GnttabGetVersionDescriptor
{
    /** Offset of {@code dom} (domid_t, IN; {@link GrantConstants#DOMID_SELF} for the caller). */
    public static final int DOM_OFFSET = 0;
    /** Offset of {@code pad} (u16, must be 0). */
    public static final int PAD_OFFSET = 2;
    /** Offset of {@code version} (u32, OUT). */
    public static final int VERSION_OFFSET = 4;
    /** {@code sizeof(struct gnttab_get_version)}. */
    public static final int LENGTH = 8;

    private GnttabGetVersionDescriptor()
    {
    }
}
