package org.xennet.core.device;

import java.util.function.UnaryOperator;

import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.grant.GrantConstants;

/**
 * Two guests cabled back to back through one backend domain: every packet guest A transmits is delivered into
 * guest B's rx ring ({@code A.front -> A.back -> B.back -> B.front}). What B transmits is discarded.
 * <p>
 * Memory layout of each guest (pages of {@link GuestDomain#memory()}):
 * <pre>
 *   [0, 256)            rx buffers, one page each
 *   [256, 256 + 3*64)   64 tx claim buffers of 3 pages (largest claim 12288 bytes)
 *   [448, 512)          application pages: {@link #appOffset(int)} for transmit(offset, length)
 * </pre>
 */
public final class Loopback implements AutoCloseable
{
    /** Backend domain id. */
    public static final int BACKEND_DOMID = 0;
    /** Guest A's domain id (the sender). */
    public static final int DOMID_A = 1;
    /** Guest B's domain id (the receiver). */
    public static final int DOMID_B = 2;
    /** rx buffers per guest. */
    public static final int RX_BUFFERS = 256;
    /** tx claim buffers per guest. */
    public static final int TX_BUFFERS = 64;
    /** Pages per tx claim buffer. */
    public static final int TX_BUFFER_PAGES = 3;
    /** First application page. */
    public static final int APP_FIRST_PAGE = RX_BUFFERS + TX_BUFFERS * TX_BUFFER_PAGES;
    /** Application pages per guest. */
    public static final int APP_PAGES = 64;
    /** Pages of guest memory per guest. */
    public static final int PAGE_COUNT = APP_FIRST_PAGE + APP_PAGES;

    private final NetDevice a;
    private final NetDevice b;
    private final HypervisorGrantVersion.Choice grantChoice;

    /**
     * Builds both guests and devices (not opened).
     *
     * @param grantVersion   grant table version of both guests (1 or 2).
     * @param firstFrame     frame of each guest's first memory page (e.g. 0x1_0000_0000 puts all pages beyond v1).
     * @param ringFirstFrame frame of each guest's first ring page.
     */
    public Loopback(final int grantVersion, final long firstFrame, final long ringFirstFrame)
    {
        this(grantVersion, firstFrame, ringFirstFrame, UnaryOperator.identity());
    }

    /**
     * Builds both guests and devices (not opened), with a tap in front of A's backend sink (e.g. a capture).
     *
     * @param grantVersion   grant table version of both guests (1 or 2).
     * @param firstFrame     frame of each guest's first memory page.
     * @param ringFirstFrame frame of each guest's first ring page.
     * @param tapA           given the sink that delivers into B, returns the sink A's backend uses.
     */
    public Loopback(
        final int grantVersion, final long firstFrame, final long ringFirstFrame, final UnaryOperator<PacketSink> tapA)
    {
        final GuestDomain guestB = newGuest(DOMID_B, grantVersion, firstFrame, ringFirstFrame);
        b = new NetDevice(guestB, newConfig(), PacketSinks.discard());
        final GuestDomain guestA = newGuest(DOMID_A, grantVersion, firstFrame, ringFirstFrame);
        a = new NetDevice(guestA, newConfig(), tapA.apply(PacketSinks.loopback(b.back())));
        grantChoice = null;
    }

    /**
     * Builds both guests and devices (not opened), each guest's grant table created by the run-time version policy
     * against the given hypervisor, with a tap in front of A's backend sink.
     *
     * @param hypervisor     what the hypervisor offers both guests.
     * @param firstFrame     frame of each guest's first memory page.
     * @param ringFirstFrame frame of each guest's first ring page.
     * @param tapA           given the sink that delivers into B, returns the sink A's backend uses.
     */
    public Loopback(
        final HypervisorGrantVersion hypervisor,
        final long firstFrame,
        final long ringFirstFrame,
        final UnaryOperator<PacketSink> tapA)
    {
        final int refs = 2 + 2 * NetFrontConfig.MAX_IDS + GrantConstants.NR_RESERVED_ENTRIES;
        final HypervisorGrantVersion.Choice choiceB = hypervisor.createGrantTable(refs);
        b = new NetDevice(GuestDomain.create(DOMID_B, choiceB, PAGE_COUNT, firstFrame, 2, ringFirstFrame),
            newConfig(), PacketSinks.discard());
        grantChoice = hypervisor.createGrantTable(refs);
        a = new NetDevice(GuestDomain.create(DOMID_A, grantChoice, PAGE_COUNT, firstFrame, 2, ringFirstFrame),
            newConfig(), tapA.apply(PacketSinks.loopback(b.back())));
    }

    /** @return how guest A's grant table version was chosen ({@code null} when built with an explicit version). */
    public HypervisorGrantVersion.Choice grantChoice()
    {
        return grantChoice;
    }

    private static GuestDomain newGuest(
        final int domid, final int grantVersion, final long firstFrame, final long ringFirstFrame)
    {
        return new GuestDomain.Context()
            .domid(domid)
            .grantVersion(grantVersion)
            .device(newConfig())
            .appPages(APP_PAGES)
            .firstFrame(firstFrame)
            .ringFirstFrame(ringFirstFrame)
            .build();
    }

    private static NetFrontConfig newConfig()
    {
        return new NetFrontConfig()
            .backendDomid(BACKEND_DOMID)
            .rxBufferFirstPage(0)
            .rxBufferCount(RX_BUFFERS)
            .txBufferFirstPage(RX_BUFFERS)
            .txBufferCount(TX_BUFFERS)
            .txBufferPages(TX_BUFFER_PAGES);
    }

    /**
     * Opens B, then A (the receiver is ready before the sender); undoes B if A fails.
     *
     * @return {@link NetFrontResult#OK} or the first failure.
     */
    public int open()
    {
        final int rc = b.open();
        if (rc != NetFrontResult.OK)
        {
            return rc;
        }
        final int rcA = a.open();
        if (rcA != NetFrontResult.OK)
        {
            b.close();
        }
        return rcA;
    }

    /**
     * Closes A, then B (the reverse of {@link #open()}).
     */
    @Override
    public void close()
    {
        a.close();
        b.close();
    }

    /** @return the sending device (guest A). */
    public NetDevice a()
    {
        return a;
    }

    /** @return the receiving device (guest B). */
    public NetDevice b()
    {
        return b;
    }

    /**
     * Byte offset of an application page in a guest's memory.
     *
     * @param page application page index (0 .. {@link #APP_PAGES}-1).
     * @return the offset for {@code transmit(offset, length)}.
     */
    public static int appOffset(final int page)
    {
        return (APP_FIRST_PAGE + page) * 4096;
    }
}
