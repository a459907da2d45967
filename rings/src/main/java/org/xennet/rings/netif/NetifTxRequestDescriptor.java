package org.xennet.rings.netif;

/**
 * Layout of {@code struct netif_tx_request} (12 octets): one packet fragment the front end asks the back end to
 * transmit.
 *
 * <pre>
 *  0     1     2     3     4     5     6     7  octet
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |       gref            |  offset   |  flags    |
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |    id     |   size    |
 * +-----+-----+-----+-----+
 * </pre>
 * All fields are written by the front end.
 */
public final class NetifTxRequestDescriptor
{
    /** Offset of {@code gref} (u32): grant reference of the page holding the fragment. */
    public static final int GREF_OFFSET = 0;

    /** Offset of {@code offset} (u16): fragment offset within the granted page. */
    public static final int OFFSET_OFFSET = 4;

    /** Offset of {@code flags} (u16): {@code NETTXF_*} ({@link NetifTxFlags}). */
    public static final int FLAGS_OFFSET = 6;

    /** Offset of {@code id} (u16): echoed in the response. */
    public static final int ID_OFFSET = 8;

    /** Offset of {@code size} (u16): total packet size in the first fragment, fragment size in the others. */
    public static final int SIZE_OFFSET = 10;

    /** Length of the struct. */
    public static final int LENGTH = 12;

    private NetifTxRequestDescriptor()
    {
    }
}
