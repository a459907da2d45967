package org.xennet.bench.harness;

import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;

/**
 * Builds the one-vif device the packet-path benchmarks drive: a guest (domid 1) with a grant table of the chosen
 * version and a backend in domain 0.
 * <pre>
 *   guest memory pages:  [0, 256)    rx buffers, one page each
 *                        [256, 512)  tx packets: the pool of 256 guest pages transmit() sends from
 * </pre>
 */
public final class PathDevices
{
    /** Pages in the tx packet pool (and in the rx source pool): the netif ring's slot count. */
    public static final int POOL_PAGES = 256;

    /** First page of the tx packet pool. */
    public static final int TX_POOL_FIRST_PAGE = NetFrontConfig.MAX_IDS;

    /** Frame of the first guest page: within reach of both grant versions. */
    public static final long FIRST_FRAME = 0x10_0000;

    /** Largest packet the paths accept (one netif packet). */
    public static final int MAX_PACKET_SIZE = 65_535;

    /** A sink that accepts every packet (answered {@code NETIF_RSP_OKAY}) and does nothing with it. */
    public static final PacketSink ACCEPT = (buffer, offset, length) -> PacketSink.ACCEPTED;

    private PathDevices()
    {
    }

    /**
     * Creates and opens a device.
     *
     * @param grantVersion 1 or 2.
     * @param sink         where netback sends transmitted packets.
     * @return the open device.
     * @throws IllegalStateException when it does not open.
     */
    public static NetDevice open(final int grantVersion, final PacketSink sink)
    {
        final GuestDomain guest = GuestDomain.create(
            1, grantVersion, 2 + 2 * NetFrontConfig.MAX_IDS, TX_POOL_FIRST_PAGE + POOL_PAGES, FIRST_FRAME, 2,
            GuestDomain.DEFAULT_RING_FIRST_FRAME);
        final NetFrontConfig config = new NetFrontConfig()
            .backendDomid(0)
            .rxBufferFirstPage(0)
            .rxBufferCount(NetFrontConfig.MAX_IDS)
            .txBufferCount(0);
        final NetDevice device = new NetDevice(guest, config, sink);
        final int rc = device.open();
        if (rc != NetFrontResult.OK)
        {
            throw new IllegalStateException("device did not open: result=" + NetFrontResult.resultString(rc));
        }
        return device;
    }

    /**
     * Checks a packet size and a grant version.
     *
     * @param packetSize   bytes per packet.
     * @param grantVersion 1 or 2.
     * @param batch        packets per step, 1..256.
     */
    public static void check(final int packetSize, final int grantVersion, final int batch)
    {
        if (packetSize < 1 || packetSize > MAX_PACKET_SIZE)
        {
            throw new IllegalArgumentException("packet size must be 1.." + MAX_PACKET_SIZE + ": packetSize=" +
                packetSize);
        }
        if (grantVersion != 1 && grantVersion != 2)
        {
            throw new IllegalArgumentException("grant version must be 1 or 2: grantVersion=" + grantVersion);
        }
        if (batch < 1 || batch > NetFrontConfig.MAX_IDS)
        {
            throw new IllegalArgumentException("batch must be 1.." + NetFrontConfig.MAX_IDS + ": batch=" + batch);
        }
    }

    /**
     * Pages a packet spans when it starts on a page boundary.
     *
     * @param packetSize bytes.
     * @return pages.
     */
    public static int pagesPerPacket(final int packetSize)
    {
        return (packetSize + GuestMemory.PAGE_LENGTH - 1) / GuestMemory.PAGE_LENGTH;
    }
}
