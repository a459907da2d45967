package org.xennet.xenstore;

/**
 * Layout of {@code struct xsd_sockmsg} ({@code io/xs_wire.h}) and the protocol's size limits.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          type (XS_*)                          |  [client: request, server: reply/event]
 *  +---------------------------------------------------------------+
 *  |              req_id (echoed; 0 in XS_WATCH_EVENT)             |  [client]
 *  +---------------------------------------------------------------+
 *  |                 tx_id (0 = no transaction)                    |  [client]
 *  +---------------------------------------------------------------+
 *  |               len (payload bytes, at most 4096)               |
 *  +---------------------------------------------------------------+
 *  |                        payload ...                            |
 * </pre>
 *
 * All fields are little-endian u32 on x86 and ARM (the host's byte order: the socket carries the struct as is).
 */
public final class XsWire
{
    /** Offset of {@code type}: the {@link XsMessageType} of the message. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of {@code req_id}: chosen by the client, echoed in the reply, 0 in watch events. */
    public static final int REQ_ID_OFFSET = TYPE_OFFSET + Integer.BYTES;
    /** Offset of {@code tx_id}: the transaction the request belongs to, 0 for none. */
    public static final int TX_ID_OFFSET = REQ_ID_OFFSET + Integer.BYTES;
    /** Offset of {@code len}: the number of payload bytes after the header. */
    public static final int LEN_OFFSET = TX_ID_OFFSET + Integer.BYTES;
    /** {@code sizeof(struct xsd_sockmsg)}: the payload starts here. */
    public static final int HEADER_LENGTH = LEN_OFFSET + Integer.BYTES;

    /** {@code XENSTORE_PAYLOAD_MAX}: the largest payload in either direction (larger ones get E2BIG). */
    public static final int PAYLOAD_MAX = 4096;
    /** {@code XENSTORE_ABS_PATH_MAX}: the longest absolute path. */
    public static final int ABS_PATH_MAX = 3072;
    /** {@code XENSTORE_REL_PATH_MAX}: the longest relative path. */
    public static final int REL_PATH_MAX = 2048;
    /** {@code XENSTORE_RING_SIZE}: size of each byte ring in the shared-page transport (unused on sockets). */
    public static final int RING_SIZE = 1024;
    /** {@code XS_WATCH_PATH}: index of the path in a watch event's payload strings. */
    public static final int WATCH_PATH = 0;
    /** {@code XS_WATCH_TOKEN}: index of the token in a watch event's payload strings. */
    public static final int WATCH_TOKEN = 1;

    private XsWire()
    {
    }
}
