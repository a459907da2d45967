package org.xennet.rings.netif;

/**
 * {@code NETTXF_*}: flags of a {@code netif_tx_request} (masks, and the {@code _NETTXF_*} bit numbers).
 */
public final class NetifTxFlags
{
    /** {@code _NETTXF_csum_blank}: bit number of {@link #CSUM_BLANK}. */
    public static final int CSUM_BLANK_BIT = 0;

    /** {@code NETTXF_csum_blank}: the protocol checksum field is blank (to be filled in). */
    public static final int CSUM_BLANK = 1 << CSUM_BLANK_BIT;

    /** {@code _NETTXF_data_validated}: bit number of {@link #DATA_VALIDATED}. */
    public static final int DATA_VALIDATED_BIT = 1;

    /** {@code NETTXF_data_validated}: the packet data has been validated against its checksum. */
    public static final int DATA_VALIDATED = 1 << DATA_VALIDATED_BIT;

    /** {@code _NETTXF_more_data}: bit number of {@link #MORE_DATA}. */
    public static final int MORE_DATA_BIT = 2;

    /** {@code NETTXF_more_data}: the packet continues in the next request. */
    public static final int MORE_DATA = 1 << MORE_DATA_BIT;

    /** {@code _NETTXF_extra_info}: bit number of {@link #EXTRA_INFO}. */
    public static final int EXTRA_INFO_BIT = 3;

    /** {@code NETTXF_extra_info}: a {@code netif_extra_info} slot follows. */
    public static final int EXTRA_INFO = 1 << EXTRA_INFO_BIT;

    private NetifTxFlags()
    {
    }
}
