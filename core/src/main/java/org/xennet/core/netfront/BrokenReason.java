package org.xennet.core.netfront;

/**
 * Why a {@link NetFront} stopped trusting its backend (Linux netfront hardening rules, xen-reference §8).
 * Each reason has a stable numeric code for logs and counters.
 */
public enum BrokenReason
{
    /** Not broken. */
    NONE(0, "not broken"),
    /** tx {@code rsp_prod - rsp_cons} exceeds the ring size (RING_RESPONSE_PROD_OVERFLOW). */
    TX_RSP_PROD_OVERFLOW(1, "tx response producer index ahead of the ring"),
    /** A tx response id beyond the id range. */
    TX_BAD_ID(2, "tx response id out of range"),
    /** A tx response id that is not pending: duplicate or unsolicited completion. */
    TX_ID_NOT_PENDING(3, "tx response id not pending (duplicate or unknown)"),
    /** A tx status that is none of OKAY, ERROR, DROPPED, NULL. */
    TX_BAD_STATUS(4, "tx response status invalid"),
    /** rx {@code rsp_prod - rsp_cons} exceeds the ring size. */
    RX_RSP_PROD_OVERFLOW(5, "rx response producer index ahead of the ring"),
    /** An rx response id beyond the id range. */
    RX_BAD_ID(6, "rx response id out of range"),
    /** An rx response id with no posted buffer: duplicate or unknown. */
    RX_ID_NOT_PENDING(7, "rx response id not pending (duplicate or unknown)"),
    /** An rx status below zero that is not ERROR or DROPPED. */
    RX_BAD_STATUS(8, "rx response status invalid"),
    /** An rx fragment with {@code offset + size > 4096}. */
    RX_BAD_OFFSET(9, "rx response offset + size beyond the page"),
    /** An rx {@code more_data} chain longer than the fragment bound. */
    RX_CHAIN_TOO_LONG(10, "rx more_data chain exceeds the fragment limit"),
    /** The backend still maps a grant the frontend tried to end; the ref and page are deferred forever. */
    GRANT_STILL_IN_USE(11, "grant still in use by the backend after its response"),
    /** More rx extra-info slots than extra types. */
    RX_BAD_EXTRA(20, "rx extra-info chain longer than the extra types");

    private final int code;
    private final String description;

    BrokenReason(final int code, final String description)
    {
        this.code = code;
        this.description = description;
    }

    /**
     * Stable numeric code.
     *
     * @return the code (0 = not broken).
     */
    public int code()
    {
        return code;
    }

    /**
     * One-line explanation.
     *
     * @return the text.
     */
    public String description()
    {
        return description;
    }
}
