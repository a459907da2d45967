package org.xennet.core.offload;

import org.xennet.rings.netif.NetifConstants;

/**
 * Per-packet offload metadata, as Linux keeps it in an skb and virtio-net in its header: GSO type and size, and the
 * checksum state. One reusable instance per caller (no allocation per packet); {@link #clear()} resets it.
 * <pre>
 *   flags       {@link #NEEDS_CSUM}: the L4 checksum is blank — its field holds the pseudo-header sum and the
 *               ones' complement of bytes [csumStart, end) belongs at csumStart + csumOffset
 *               (virtio VIRTIO_NET_HDR_F_NEEDS_CSUM, Linux CHECKSUM_PARTIAL, Xen NETTXF_csum_blank)
 *               {@link #DATA_VALID}: the checksums were verified already
 *               (VIRTIO_NET_HDR_F_DATA_VALID, CHECKSUM_UNNECESSARY, NETTXF_data_validated)
 *   gsoType     XEN_NETIF_GSO_TYPE_NONE / _TCPV4 / _TCPV6
 *   gsoSize     TCP payload bytes per segment (MSS) when gsoType is not NONE
 *   csumStart   offset of the L4 header from the frame's first byte (when NEEDS_CSUM)
 *   csumOffset  offset of the checksum field from csumStart (16 for TCP, 6 for UDP)
 * </pre>
 * On the ring, a packet with a GSO type also needs {@link #NEEDS_CSUM} (Linux marks every GSO packet
 * CHECKSUM_PARTIAL); the receiving end derives csumStart/csumOffset from the headers, as the ring carries none.
 */
public final class OffloadInfo
{
    /** The L4 checksum is blank (partial): to be completed by whoever sends the frame on a wire. */
    public static final int NEEDS_CSUM = 1;

    /** The packet's checksums are known good. */
    public static final int DATA_VALID = 2;

    private int flags;
    private int gsoType = NetifConstants.GSO_TYPE_NONE;
    private int gsoSize;
    private int csumStart;
    private int csumOffset;

    /**
     * Resets to "no offload": full checksums, no GSO.
     *
     * @return this.
     */
    public OffloadInfo clear()
    {
        flags = 0;
        gsoType = NetifConstants.GSO_TYPE_NONE;
        gsoSize = 0;
        csumStart = 0;
        csumOffset = 0;
        return this;
    }

    /**
     * Copies another instance.
     *
     * @param other the source.
     * @return this.
     */
    public OffloadInfo set(final OffloadInfo other)
    {
        flags = other.flags;
        gsoType = other.gsoType;
        gsoSize = other.gsoSize;
        csumStart = other.csumStart;
        csumOffset = other.csumOffset;
        return this;
    }

    /** @return {@link #NEEDS_CSUM} and/or {@link #DATA_VALID}. */
    public int flags()
    {
        return flags;
    }

    /**
     * @param flags {@link #NEEDS_CSUM} and/or {@link #DATA_VALID}.
     * @return this.
     */
    public OffloadInfo flags(final int flags)
    {
        this.flags = flags;
        return this;
    }

    /** @return whether the L4 checksum is blank (partial). */
    public boolean needsCsum()
    {
        return (flags & NEEDS_CSUM) != 0;
    }

    /** @return whether the checksums are known good. */
    public boolean dataValid()
    {
        return (flags & DATA_VALID) != 0;
    }

    /** @return the GSO type ({@code XEN_NETIF_GSO_TYPE_*}). */
    public int gsoType()
    {
        return gsoType;
    }

    /** @return the MSS when {@link #isGso()}. */
    public int gsoSize()
    {
        return gsoSize;
    }

    /**
     * Marks the packet a GSO frame.
     *
     * @param type {@code XEN_NETIF_GSO_TYPE_TCPV4} or {@code _TCPV6} ({@code _NONE} clears it).
     * @param size MSS (1 .. 65535).
     * @return this.
     */
    public OffloadInfo gso(final int type, final int size)
    {
        this.gsoType = type;
        this.gsoSize = type == NetifConstants.GSO_TYPE_NONE ? 0 : size;
        return this;
    }

    /** @return whether the packet is a GSO frame. */
    public boolean isGso()
    {
        return gsoType != NetifConstants.GSO_TYPE_NONE;
    }

    /** @return offset of the L4 header from the frame's first byte (when {@link #needsCsum()}). */
    public int csumStart()
    {
        return csumStart;
    }

    /** @return offset of the checksum field from {@link #csumStart()}. */
    public int csumOffset()
    {
        return csumOffset;
    }

    /**
     * Marks the checksum blank (partial), as virtio-net's header has it.
     *
     * @param start  L4 header offset from the frame's first byte.
     * @param offset checksum field offset from {@code start}.
     * @return this.
     */
    public OffloadInfo partialCsum(final int start, final int offset)
    {
        flags |= NEEDS_CSUM;
        csumStart = start;
        csumOffset = offset;
        return this;
    }

    /** @return whether anything is set (a packet with no offload at all is the common "plain" case). */
    public boolean isPlain()
    {
        return flags == 0 && gsoType == NetifConstants.GSO_TYPE_NONE;
    }

    /**
     * Names a GSO type.
     *
     * @param gsoType a {@code XEN_NETIF_GSO_TYPE_*} value.
     * @return its name.
     */
    public static String gsoTypeString(final int gsoType)
    {
        switch (gsoType)
        {
            case NetifConstants.GSO_TYPE_NONE:
                return "NONE";
            case NetifConstants.GSO_TYPE_TCPV4:
                return "TCPV4";
            case NetifConstants.GSO_TYPE_TCPV6:
                return "TCPV6";
            default:
                return "UNKNOWN(" + gsoType + ")";
        }
    }

    @Override
    public String toString()
    {
        return "OffloadInfo{flags=" + (needsCsum() ? "NEEDS_CSUM" : "") + (dataValid() ? "|DATA_VALID" : "") +
            ", gsoType=" + gsoTypeString(gsoType) + ", gsoSize=" + gsoSize + ", csumStart=" + csumStart +
            ", csumOffset=" + csumOffset + '}';
    }
}
