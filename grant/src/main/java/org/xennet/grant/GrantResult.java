package org.xennet.grant;

/**
 * Result codes of the guest-side grant operations ({@link GrantTable}, {@link GrantRefAllocator},
 * {@link GrantTableController}): returned, never thrown, so the data path neither allocates nor unwinds.
 */
public final class GrantResult
{
    /** The operation succeeded. */
    public static final int OK = 0;

    /** v1 only: the frame does not fit the u32 {@code frame} of {@code grant_entry_v1}; nothing was written. */
    public static final int FRAME_OUT_OF_RANGE = -1;

    /** The ref is negative or not below the table's entry count; nothing was written. */
    public static final int BAD_REF = -2;

    /** The operation does not exist in this version or on this (modelled) hypervisor. */
    public static final int NOT_SUPPORTED = -3;

    /** The peer still has the ref's page mapped (reading/writing set): the ref and its page must not be reused. */
    public static final int STILL_IN_USE = -4;

    /** Every allocatable ref is handed out. */
    public static final int NO_FREE_REFS = -5;

    /** An argument is out of its range (domid not u16, sub-page window outside the page, unknown version). */
    public static final int BAD_ARGUMENT = -6;

    /** The entry is still valid (granted and not ended): end access before granting the ref again. */
    public static final int ALREADY_GRANTED = -7;

    /** Version negotiation: the hypervisor reports a grant-table version other than 0, 1 or 2. */
    public static final int UNKNOWN_VERSION = -8;

    private GrantResult()
    {
    }

    /**
     * Human-readable name of a result code, for logs.
     *
     * @param result a result code.
     * @return its name.
     */
    public static String resultString(final int result)
    {
        switch (result)
        {
            case OK:
                return "OK";
            case FRAME_OUT_OF_RANGE:
                return "FRAME_OUT_OF_RANGE";
            case BAD_REF:
                return "BAD_REF";
            case NOT_SUPPORTED:
                return "NOT_SUPPORTED";
            case STILL_IN_USE:
                return "STILL_IN_USE";
            case NO_FREE_REFS:
                return "NO_FREE_REFS";
            case BAD_ARGUMENT:
                return "BAD_ARGUMENT";
            case ALREADY_GRANTED:
                return "ALREADY_GRANTED";
            case UNKNOWN_VERSION:
                return "UNKNOWN_VERSION";
            default:
                return "UNKNOWN(" + result + ")";
        }
    }
}
