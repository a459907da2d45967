package org.xennet.core.netfront;

import org.xennet.grant.GrantResult;

/**
 * Hot-path result codes of {@link NetFront}: negative named ints, never exceptions (as Aeron's
 * {@code Publication.offer} results). Non-negative returns are counts (slots used, buffers posted, packets
 * completed).
 */
public final class NetFrontResult
{
    /** Success with nothing to count. */
    public static final int OK = 0;

    /** Not enough free ids (ring slots) for every fragment of the packet; nothing was touched. */
    public static final int RING_FULL = -1;

    /** A page of the packet or buffer lies beyond the grant table's reach (v1: frame above 2^32 - 1). */
    public static final int FRAME_OUT_OF_RANGE = -2;

    /** The device is not open (before {@link NetFront#open()} or after {@link NetFront#close()}). */
    public static final int NOT_CONNECTED = -3;

    /** The backend misbehaved; see {@link NetFront#brokenReason()}. Nothing more is sent or polled. */
    public static final int BROKEN = -4;

    /** Offset or length outside guest memory, empty packet, or a packet above {@code XEN_NETIF_MAX_TX_SIZE}. */
    public static final int BAD_ARGUMENT = -5;

    /** No free tx buffer for a claim, or no grant refs left when opening. */
    public static final int NO_BUFFERS = -6;

    /** The grant table refused for another reason (see the grant error counter). */
    public static final int GRANT_ERROR = -7;

    /** The packet needs several slots and the backend did not offer {@code feature-sg}. */
    public static final int NO_SCATTER_GATHER = -8;

    /**
     * A GSO frame of a type the backend did not negotiate, or a blank IPv6 checksum without
     * {@code feature-ipv6-csum-offload}, given to an in-place transmit (use {@code offer}, which segments and
     * completes in software, or segment first), or headers that do not allow that fallback.
     */
    public static final int OFFLOAD_NOT_NEGOTIATED = -20;

    private NetFrontResult()
    {
    }

    /**
     * Names a result code.
     *
     * @param result a result returned by {@link NetFront}.
     * @return its name, or {@code "COUNT(n)"} for a non-negative count.
     */
    public static String resultString(final int result)
    {
        switch (result)
        {
            case OK:
                return "OK";
            case RING_FULL:
                return "RING_FULL";
            case FRAME_OUT_OF_RANGE:
                return "FRAME_OUT_OF_RANGE";
            case NOT_CONNECTED:
                return "NOT_CONNECTED";
            case BROKEN:
                return "BROKEN";
            case BAD_ARGUMENT:
                return "BAD_ARGUMENT";
            case NO_BUFFERS:
                return "NO_BUFFERS";
            case GRANT_ERROR:
                return "GRANT_ERROR";
            case NO_SCATTER_GATHER:
                return "NO_SCATTER_GATHER";
            case OFFLOAD_NOT_NEGOTIATED:
                return "OFFLOAD_NOT_NEGOTIATED";
            default:
                return result > 0 ? "COUNT(" + result + ")" : "UNKNOWN(" + result + ")";
        }
    }

    /**
     * Translates a {@link GrantResult} from {@code permitAccess} at the edge (as iPXE's {@code -EXEN}).
     *
     * @param grantResult the grant table's result.
     * @return the matching NetFront result.
     */
    public static int fromGrantResult(final int grantResult)
    {
        switch (grantResult)
        {
            case GrantResult.OK:
                return OK;
            case GrantResult.FRAME_OUT_OF_RANGE:
                return FRAME_OUT_OF_RANGE;
            case GrantResult.NO_FREE_REFS:
                return NO_BUFFERS;
            default:
                return GRANT_ERROR;
        }
    }
}
