package org.xennet.rings.netif;

/**
 * Layout of {@code struct netif_extra_info} (8 octets): follows a TX request or RX response flagged
 * {@code EXTRA_INFO}, in its own slot.
 *
 * <pre>
 *  0     1     2     3     4     5     6     7  octet
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |type |flags|  gso.size |type | pad |gso.features|  u.gso
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |type |flags|        mcast.addr[6]              |  u.mcast
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * |type |flags|htype|halg |     hash.value[4]     |  u.hash
 * +-----+-----+-----+-----+-----+-----+-----+-----+
 * </pre>
 * Written by whichever end produces the slot.
 */
public final class NetifExtraInfoDescriptor
{
    /** Offset of {@code type} (u8): {@code XEN_NETIF_EXTRA_TYPE_*}. */
    public static final int TYPE_OFFSET = 0;

    /** Offset of {@code flags} (u8): {@code XEN_NETIF_EXTRA_FLAG_*}. */
    public static final int FLAGS_OFFSET = 1;

    /** Offset of the union {@code u} (6 octets). */
    public static final int U_OFFSET = 2;

    /** Length of the union {@code u}. */
    public static final int U_LENGTH = 6;

    /** Offset of {@code u.gso.size} (u16): maximum payload size of each GSO segment. */
    public static final int GSO_SIZE_OFFSET = 2;

    /** Offset of {@code u.gso.type} (u8): {@code XEN_NETIF_GSO_TYPE_*}. */
    public static final int GSO_TYPE_OFFSET = 4;

    /** Offset of {@code u.gso.pad} (u8). */
    public static final int GSO_PAD_OFFSET = 5;

    /** Offset of {@code u.gso.features} (u16): {@code XEN_NETIF_GSO_FEAT_*}. */
    public static final int GSO_FEATURES_OFFSET = 6;

    /** Offset of {@code u.mcast.addr} (6 octets): the multicast MAC address. */
    public static final int MCAST_ADDR_OFFSET = 2;

    /** Length of {@code u.mcast.addr}. */
    public static final int MCAST_ADDR_LENGTH = 6;

    /** Offset of {@code u.hash.type} (u8). */
    public static final int HASH_TYPE_OFFSET = 2;

    /** Offset of {@code u.hash.algorithm} (u8). */
    public static final int HASH_ALGORITHM_OFFSET = 3;

    /** Offset of {@code u.hash.value} (4 octets). */
    public static final int HASH_VALUE_OFFSET = 4;

    /** Length of {@code u.hash.value}. */
    public static final int HASH_VALUE_LENGTH = 4;

    /** Length of the struct. */
    public static final int LENGTH = 8;

    private NetifExtraInfoDescriptor()
    {
    }
}
