package org.xennet.core.netback;

/**
 * Why a {@link NetBack} disconnected its frontend (Linux netback's fatal errors): the frontend broke the ring
 * protocol in a way that cannot be answered with {@code NETIF_RSP_ERROR}.
 */
public enum FrontendFault
{
    /** Connected and trusted so far. */
    NONE(0, "no fault"),
    /** A ring grant is not a valid writable grant to this backend, or its frame is not mapped. */
    BAD_RING_REF(1, "ring grant invalid"),
    /** tx {@code req_prod} ran ahead of the ring (RING_REQUEST_PROD_OVERFLOW). */
    TX_REQ_PROD_OVERFLOW(2, "tx request producer index ahead of the ring"),
    /** A tx {@code more_data} chain longer than the fragment bound. */
    TX_CHAIN_TOO_LONG(3, "tx more_data chain exceeds the slot limit"),
    /** A tx fragment with {@code offset + size > 4096}. */
    TX_CROSSES_PAGE(4, "tx fragment crosses its page"),
    /** rx {@code req_prod} ran ahead of the ring. */
    RX_REQ_PROD_OVERFLOW(5, "rx request producer index ahead of the ring"),
    /** A GSO extra slot with size 0 or an unknown GSO type, or more extra slots than types (Linux: fatal). */
    TX_BAD_GSO(6, "tx GSO extra info invalid (size 0, unknown type or too many extras)");

    private final int code;
    private final String description;

    FrontendFault(final int code, final String description)
    {
        this.code = code;
        this.description = description;
    }

    /** @return stable numeric code (0 = no fault). */
    public int code()
    {
        return code;
    }

    /** @return one-line explanation. */
    public String description()
    {
        return description;
    }
}
