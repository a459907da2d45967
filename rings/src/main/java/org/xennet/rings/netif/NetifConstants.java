package org.xennet.rings.netif;

/**
 * {@code io/netif.h} constants other than slot flags: slot limits, extra-info types and flags, GSO types.
 */
public final class NetifConstants
{
    /** {@code XEN_NETIF_NR_SLOTS_MIN}: slots a back end must accept for one packet. */
    public static final int NR_SLOTS_MIN = 18;

    /** {@code XEN_NETIF_MAX_TX_SIZE}: largest packet a TX request's u16 size can describe. */
    public static final int MAX_TX_SIZE = 0xFFFF;

    /** {@code XEN_NETIF_EXTRA_TYPE_NONE}. */
    public static final int EXTRA_TYPE_NONE = 0;

    /** {@code XEN_NETIF_EXTRA_TYPE_GSO}: {@code u.gso} is valid. */
    public static final int EXTRA_TYPE_GSO = 1;

    /** {@code XEN_NETIF_EXTRA_TYPE_MCAST_ADD}: {@code u.mcast} is valid. */
    public static final int EXTRA_TYPE_MCAST_ADD = 2;

    /** {@code XEN_NETIF_EXTRA_TYPE_MCAST_DEL}: {@code u.mcast} is valid. */
    public static final int EXTRA_TYPE_MCAST_DEL = 3;

    /** {@code XEN_NETIF_EXTRA_TYPE_HASH}: {@code u.hash} is valid. */
    public static final int EXTRA_TYPE_HASH = 4;

    /** {@code XEN_NETIF_EXTRA_TYPE_MAX}: one past the last type. */
    public static final int EXTRA_TYPE_MAX = 5;

    /** {@code _XEN_NETIF_EXTRA_FLAG_MORE}: bit number of {@link #EXTRA_FLAG_MORE}. */
    public static final int EXTRA_FLAG_MORE_BIT = 0;

    /** {@code XEN_NETIF_EXTRA_FLAG_MORE}: another extra-info slot follows. */
    public static final int EXTRA_FLAG_MORE = 1 << EXTRA_FLAG_MORE_BIT;

    /** {@code XEN_NETIF_GSO_TYPE_NONE}. */
    public static final int GSO_TYPE_NONE = 0;

    /** {@code XEN_NETIF_GSO_TYPE_TCPV4}. */
    public static final int GSO_TYPE_TCPV4 = 1;

    /** {@code XEN_NETIF_GSO_TYPE_TCPV6}. */
    public static final int GSO_TYPE_TCPV6 = 2;

    private NetifConstants()
    {
    }
}
