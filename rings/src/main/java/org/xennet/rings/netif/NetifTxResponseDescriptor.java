package org.xennet.rings.netif;

/**
 * Layout of {@code struct netif_tx_response} (4 octets, in a 12-octet TX slot).
 *
 * <pre>
 *  0     1     2     3  octet
 * +-----+-----+-----+-----+
 * |    id     |  status   |
 * +-----+-----+-----+-----+
 * </pre>
 * All fields are written by the back end.
 */
public final class NetifTxResponseDescriptor
{
    /** Offset of {@code id} (u16): the id of the request answered. */
    public static final int ID_OFFSET = 0;

    /** Offset of {@code status} (s16): {@code NETIF_RSP_*} ({@link NetifResponseStatus}). */
    public static final int STATUS_OFFSET = 2;

    /** Length of the struct. */
    public static final int LENGTH = 4;

    private NetifTxResponseDescriptor()
    {
    }
}
