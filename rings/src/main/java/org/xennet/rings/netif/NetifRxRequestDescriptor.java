package org.xennet.rings.netif;

/**
 * Layout of {@code struct netif_rx_request} (8 octets): a receive buffer the front end posts to the back end.
 *
 * <pre>
 *  0     1     2     3     4     5     6     7  octet
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |    id     |    pad    |          gref         |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * </pre>
 * All fields are written by the front end.
 */
public final class NetifRxRequestDescriptor
{
    /** Offset of {@code id} (u16): echoed in the response. */
    public static final int ID_OFFSET = 0;

    /** Offset of {@code pad} (u16). */
    public static final int PAD_OFFSET = 2;

    /** Offset of {@code gref} (u32): grant reference of the receive page. */
    public static final int GREF_OFFSET = 4;

    /** Length of the struct. */
    public static final int LENGTH = 8;

    private NetifRxRequestDescriptor()
    {
    }
}
