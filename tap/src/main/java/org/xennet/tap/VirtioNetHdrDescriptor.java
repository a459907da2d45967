package org.xennet.tap;

/**
 * Layout of {@code struct virtio_net_hdr} ({@code <linux/virtio_net.h>}), the header a TAP opened with
 * {@code IFF_VNET_HDR} puts in front of every frame (little-endian, 10 bytes; {@code TUNSETVNETHDRSZ} sets it):
 * <pre>
 *   0      1          2            4          6              8              10
 *   +------+----------+------------+----------+--------------+--------------+
 *   |flags | gso_type |  hdr_len   | gso_size | csum_start   | csum_offset  |
 *   +------+----------+------------+----------+--------------+--------------+
 * </pre>
 * {@code flags}: {@link #F_NEEDS_CSUM} (the checksum at csum_start + csum_offset is still to be filled: Xen's
 * {@code NETTXF_csum_blank}), {@link #F_DATA_VALID} (already verified: {@code NETTXF_data_validated}).
 * {@code gso_type}: {@link #GSO_NONE}, {@link #GSO_TCPV4}, {@link #GSO_TCPV6} (Xen's {@code XEN_NETIF_GSO_TYPE_*}
 * in a GSO extra slot, with {@code gso_size} as the segment size).
 */
public final class VirtioNetHdrDescriptor
{
    /** Header length used with {@code TUNSETVNETHDRSZ}. */
    public static final int LENGTH = 10;

    /** {@code u8 flags}. */
    public static final int FLAGS_OFFSET = 0;
    /** {@code u8 gso_type}. */
    public static final int GSO_TYPE_OFFSET = 1;
    /** {@code __virtio16 hdr_len}. */
    public static final int HDR_LEN_OFFSET = 2;
    /** {@code __virtio16 gso_size}. */
    public static final int GSO_SIZE_OFFSET = 4;
    /** {@code __virtio16 csum_start}. */
    public static final int CSUM_START_OFFSET = 6;
    /** {@code __virtio16 csum_offset}. */
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}. */
    public static final int F_DATA_VALID = 2;

    /** {@code VIRTIO_NET_HDR_GSO_NONE}. */
    public static final int GSO_NONE = 0;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV4}. */
    public static final int GSO_TCPV4 = 1;
    /** {@code VIRTIO_NET_HDR_GSO_UDP}. */
    public static final int GSO_UDP = 3;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV6}. */
    public static final int GSO_TCPV6 = 4;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}, or-ed into gso_type. */
    public static final int GSO_ECN = 0x80;

    /** {@code TUN_F_CSUM}: we can take frames with a blank checksum. */
    public static final int TUN_F_CSUM = 0x01;
    /** {@code TUN_F_TSO4}. */
    public static final int TUN_F_TSO4 = 0x02;
    /** {@code TUN_F_TSO6}. */
    public static final int TUN_F_TSO6 = 0x04;
    /** {@code TUN_F_TSO_ECN}. */
    public static final int TUN_F_TSO_ECN = 0x08;

    private VirtioNetHdrDescriptor()
    {
    }
}
