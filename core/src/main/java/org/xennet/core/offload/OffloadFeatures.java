package org.xennet.core.offload;

import org.xennet.rings.netif.NetifConstants;

/**
 * What a peer takes on the ring, as a bit set read from its xenstore keys (netif.h, Linux netfront/netback):
 * <pre>
 *   {@link #SG}              feature-sg                 multi-slot packets
 *   {@link #GSO_TCPV4}       feature-gso-tcpv4          GSO extra slots of type TCPV4
 *   {@link #GSO_TCPV6}       feature-gso-tcpv6          GSO extra slots of type TCPV6
 *   {@link #IPV6_CSUM}       feature-ipv6-csum-offload  csum_blank on IPv6 packets
 *   {@link #NO_CSUM}         feature-no-csum-offload    no csum_blank at all (frontend only: Linux netback
 *                                                       never sends csum_blank to such a frontend)
 * </pre>
 * IPv4 checksum offload is the default on the ring: Linux's netfront assumes it of every backend and a frontend
 * opts out with {@code feature-no-csum-offload}.
 */
public final class OffloadFeatures
{
    /** {@code feature-sg}. */
    public static final int SG = 1;
    /** {@code feature-gso-tcpv4}. */
    public static final int GSO_TCPV4 = 2;
    /** {@code feature-gso-tcpv6}. */
    public static final int GSO_TCPV6 = 4;
    /** {@code feature-ipv6-csum-offload}. */
    public static final int IPV6_CSUM = 8;
    /** {@code feature-no-csum-offload}. */
    public static final int NO_CSUM = 16;

    /** Everything Linux's netfront and netback offer (no {@link #NO_CSUM}). */
    public static final int ALL = SG | GSO_TCPV4 | GSO_TCPV6 | IPV6_CSUM;

    /** A peer that offers nothing: one slot per packet, full checksums on IPv6 (IPv4 csum_blank still allowed). */
    public static final int NONE = 0;

    private OffloadFeatures()
    {
    }

    /**
     * Whether a peer with {@code features} takes a GSO frame of this type.
     *
     * @param features the peer's bit set.
     * @param gsoType  {@code XEN_NETIF_GSO_TYPE_*}.
     * @return true if it does.
     */
    public static boolean acceptsGso(final int features, final int gsoType)
    {
        // GSO frames are up to 64 KiB: without feature-sg they cannot be put on the ring at all; and a GSO packet is
        // always partially checksummed, so no checksum offload means no GSO (Linux drops TSO without csum offload).
        if ((features & SG) == 0 || !acceptsPartialCsum(features, gsoType == NetifConstants.GSO_TYPE_TCPV6 ? 6 : 4))
        {
            return false;
        }
        return gsoType == NetifConstants.GSO_TYPE_TCPV4 ? (features & GSO_TCPV4) != 0 :
            gsoType == NetifConstants.GSO_TYPE_TCPV6 && (features & GSO_TCPV6) != 0;
    }

    /**
     * Whether a peer with {@code features} takes a blank (partial) checksum on a packet of this IP version.
     *
     * @param features  the peer's bit set.
     * @param ipVersion 4 or 6.
     * @return true if it does.
     */
    public static boolean acceptsPartialCsum(final int features, final int ipVersion)
    {
        if ((features & NO_CSUM) != 0)
        {
            return false;
        }
        return ipVersion != 6 || (features & IPV6_CSUM) != 0;
    }

    /**
     * Reads a peer's bits from its xenstore keys, as Linux's {@code xenbus_read_unsigned(otherend, key, 0)} does.
     *
     * @param read key name to value (null when absent).
     * @return the bit set.
     */
    public static int fromKeys(final java.util.function.Function<String, String> read)
    {
        int features = 0;
        features |= on(read.apply("feature-sg")) ? SG : 0;
        features |= on(read.apply("feature-gso-tcpv4")) ? GSO_TCPV4 : 0;
        features |= on(read.apply("feature-gso-tcpv6")) ? GSO_TCPV6 : 0;
        features |= on(read.apply("feature-ipv6-csum-offload")) ? IPV6_CSUM : 0;
        features |= on(read.apply("feature-no-csum-offload")) ? NO_CSUM : 0;
        return features;
    }

    private static boolean on(final String value)
    {
        if (value == null || value.isEmpty() || value.length() > 10)
        {
            return false;
        }
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) < '0' || value.charAt(i) > '9')
            {
                return false;
            }
        }
        return Long.parseLong(value) > 0;
    }

    /**
     * Names the bits.
     *
     * @param features a bit set.
     * @return e.g. {@code [sg, gso-tcpv4]}.
     */
    public static String toString(final int features)
    {
        final StringBuilder sb = new StringBuilder("[");
        append(sb, features, SG, "sg");
        append(sb, features, GSO_TCPV4, "gso-tcpv4");
        append(sb, features, GSO_TCPV6, "gso-tcpv6");
        append(sb, features, IPV6_CSUM, "ipv6-csum-offload");
        append(sb, features, NO_CSUM, "no-csum-offload");
        return sb.append(']').toString();
    }

    private static void append(final StringBuilder sb, final int features, final int bit, final String name)
    {
        if ((features & bit) != 0)
        {
            if (sb.length() > 1)
            {
                sb.append(", ");
            }
            sb.append(name);
        }
    }
}
