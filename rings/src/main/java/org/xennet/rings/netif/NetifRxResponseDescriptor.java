package org.xennet.rings.netif;

/**
 * Layout of {@code struct netif_rx_response} (8 octets).
 *
 * <pre>
 *  0     1     2     3     4     5     6     7  octet
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |    id     |  offset   |  flags    |  status   |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * </pre>
 * All fields are written by the back end.
 */
public final class NetifRxResponseDescriptor
{
    /** Offset of {@code id} (u16): the id of the request answered. */
    public static final int ID_OFFSET = 0;

    /** Offset of {@code offset} (u16): data offset within the receive page. */
    public static final int OFFSET_OFFSET = 2;

    /** Offset of {@code flags} (u16): {@code NETRXF_*} ({@link NetifRxFlags}). */
    public static final int FLAGS_OFFSET = 4;

    /** Offset of {@code status} (s16): length received if {@code >= 0}, else {@code NETIF_RSP_*}. */
    public static final int STATUS_OFFSET = 6;

    /** Length of the struct. */
    public static final int LENGTH = 8;

    private NetifRxResponseDescriptor()
    {
    }
}
