package org.xennet.tap;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.rings.netif.NetifConstants;

/**
 * Maps a TAP frame's {@code virtio_net_hdr} ({@link VirtioNetHdrDescriptor}) to the ring's per-packet
 * {@link OffloadInfo} and back, as Linux's netfront/netback map an skb's checksum and GSO state:
 * {@code NEEDS_CSUM} + csum_start/csum_offset ↔ {@code NETTXF_csum_blank} (partial checksum), {@code DATA_VALID} ↔
 * {@code NETTXF_data_validated}, gso_type TCPV4/TCPV6 + gso_size ↔ the {@code XEN_NETIF_EXTRA_TYPE_GSO} slot.
 * Stateless; no allocation.
 */
final class VirtioNetHdr
{
    /** Result of {@link #toOffload}: a GSO type the ring cannot carry (UDP, or unknown). */
    static final int UNSUPPORTED_GSO = -1;

    private VirtioNetHdr()
    {
    }

    /**
     * Reads a header into {@code info}.
     *
     * @return 0, or {@link #UNSUPPORTED_GSO}.
     */
    static int toOffload(final DirectBuffer header, final int offset, final OffloadInfo info)
    {
        info.clear();
        final int flags = header.getByte(offset + VirtioNetHdrDescriptor.FLAGS_OFFSET) & 0xFF;
        final int gsoType = header.getByte(offset + VirtioNetHdrDescriptor.GSO_TYPE_OFFSET) & 0xFF &
            ~VirtioNetHdrDescriptor.GSO_ECN;
        if ((flags & VirtioNetHdrDescriptor.F_NEEDS_CSUM) != 0)
        {
            info.partialCsum(
                header.getShort(offset + VirtioNetHdrDescriptor.CSUM_START_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) &
                    0xFFFF,
                header.getShort(offset + VirtioNetHdrDescriptor.CSUM_OFFSET_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) &
                    0xFFFF);
        }
        else if ((flags & VirtioNetHdrDescriptor.F_DATA_VALID) != 0)
        {
            info.flags(OffloadInfo.DATA_VALID);
        }
        if (gsoType == VirtioNetHdrDescriptor.GSO_NONE)
        {
            return 0;
        }
        final int gsoSize =
            header.getShort(offset + VirtioNetHdrDescriptor.GSO_SIZE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (gsoType == VirtioNetHdrDescriptor.GSO_TCPV4)
        {
            info.gso(NetifConstants.GSO_TYPE_TCPV4, gsoSize);
            return 0;
        }
        if (gsoType == VirtioNetHdrDescriptor.GSO_TCPV6)
        {
            info.gso(NetifConstants.GSO_TYPE_TCPV6, gsoSize);
            return 0;
        }
        return UNSUPPORTED_GSO;
    }

    /** Writes the header for a frame with metadata {@code info} (all zero for a plain frame). */
    static void fromOffload(final OffloadInfo info, final MutableDirectBuffer header, final int offset)
    {
        int flags = 0;
        int csumStart = 0;
        int csumOffset = 0;
        int hdrLength = 0;
        if (info.needsCsum())
        {
            flags = VirtioNetHdrDescriptor.F_NEEDS_CSUM;
            csumStart = info.csumStart();
            csumOffset = info.csumOffset();
            hdrLength = csumStart + csumOffset + 2;
        }
        else if (info.dataValid())
        {
            flags = VirtioNetHdrDescriptor.F_DATA_VALID;
        }
        int gsoType = VirtioNetHdrDescriptor.GSO_NONE;
        int gsoSize = 0;
        if (info.isGso())
        {
            gsoType = info.gsoType() == NetifConstants.GSO_TYPE_TCPV6 ? VirtioNetHdrDescriptor.GSO_TCPV6 :
                VirtioNetHdrDescriptor.GSO_TCPV4;
            gsoSize = info.gsoSize();
        }
        header.putByte(offset + VirtioNetHdrDescriptor.FLAGS_OFFSET, (byte)flags);
        header.putByte(offset + VirtioNetHdrDescriptor.GSO_TYPE_OFFSET, (byte)gsoType);
        header.putShort(offset + VirtioNetHdrDescriptor.HDR_LEN_OFFSET, (short)hdrLength,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putShort(offset + VirtioNetHdrDescriptor.GSO_SIZE_OFFSET, (short)gsoSize,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putShort(offset + VirtioNetHdrDescriptor.CSUM_START_OFFSET, (short)csumStart,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putShort(offset + VirtioNetHdrDescriptor.CSUM_OFFSET_OFFSET, (short)csumOffset,
            java.nio.ByteOrder.LITTLE_ENDIAN);
    }
}
