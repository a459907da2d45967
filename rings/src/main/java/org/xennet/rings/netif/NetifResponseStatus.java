package org.xennet.rings.netif;

/**
 * {@code NETIF_RSP_*}: the signed 16-bit {@code status} of a response (an RX status {@code >= 0} is a length).
 */
public final class NetifResponseStatus
{
    /** {@code NETIF_RSP_DROPPED}: the packet was dropped. */
    public static final int DROPPED = -2;

    /** {@code NETIF_RSP_ERROR}: the request failed. */
    public static final int ERROR = -1;

    /** {@code NETIF_RSP_OKAY}: the request succeeded. */
    public static final int OKAY = 0;

    /** {@code NETIF_RSP_NULL}: the response answers an extra-info slot (no packet). */
    public static final int NULL = 1;

    private NetifResponseStatus()
    {
    }

    /**
     * @param status a response status.
     * @return the constant's name ({@code "OKAY"}), or {@code "LENGTH"} for other non-negative values,
     *         {@code "UNKNOWN"} for other negative ones. Does not allocate.
     */
    public static String statusString(final int status)
    {
        switch (status)
        {
            case DROPPED:
                return "DROPPED";
            case ERROR:
                return "ERROR";
            case OKAY:
                return "OKAY";
            case NULL:
                return "NULL";
            default:
                return status > 0 ? "LENGTH" : "UNKNOWN";
        }
    }
}
