package org.xennet.rings.netif;

/**
 * {@code NETRXF_*}: flags of a {@code netif_rx_response} (masks, and the {@code _NETRXF_*} bit numbers).
 */
public final class NetifRxFlags
{
    /** {@code _NETRXF_data_validated}: bit number of {@link #DATA_VALIDATED}. */
    public static final int DATA_VALIDATED_BIT = 0;

    /** {@code NETRXF_data_validated}: the packet data has been validated against its checksum. */
    public static final int DATA_VALIDATED = 1 << DATA_VALIDATED_BIT;

    /** {@code _NETRXF_csum_blank}: bit number of {@link #CSUM_BLANK}. */
    public static final int CSUM_BLANK_BIT = 1;

    /** {@code NETRXF_csum_blank}: the protocol checksum field is blank. */
    public static final int CSUM_BLANK = 1 << CSUM_BLANK_BIT;

    /** {@code _NETRXF_more_data}: bit number of {@link #MORE_DATA}. */
    public static final int MORE_DATA_BIT = 2;

    /** {@code NETRXF_more_data}: the packet continues in the next response. */
    public static final int MORE_DATA = 1 << MORE_DATA_BIT;

    /** {@code _NETRXF_extra_info}: bit number of {@link #EXTRA_INFO}. */
    public static final int EXTRA_INFO_BIT = 3;

    /** {@code NETRXF_extra_info}: a {@code netif_extra_info} slot follows. */
    public static final int EXTRA_INFO = 1 << EXTRA_INFO_BIT;

    /** {@code _NETRXF_gso_prefix}: bit number of {@link #GSO_PREFIX}. */
    public static final int GSO_PREFIX_BIT = 4;

    /** {@code NETRXF_gso_prefix}: the GSO prefix descriptor precedes the packet. */
    public static final int GSO_PREFIX = 1 << GSO_PREFIX_BIT;

    private NetifRxFlags()
    {
    }
}
