package org.xennet.core.netfront;

import org.xennet.rings.netif.NetifConstants;

/**
 * Setup-time parameters of a {@link NetFront}: domain ids, how many ids per direction, and where the rings,
 * rx buffers and tx claim buffers live. Fluent setters; validated by {@link #validate(int, int)} when the
 * {@link NetFront} is built.
 * <pre>
 *   ring memory:   [txRingPage] [rxRingPage]
 *   guest memory:  [rxBufferFirstPage .. +rxBufferCount)   one page per rx buffer
 *                  [txBufferFirstPage .. +txBufferCount * txBufferPages)   tx claim buffers
 *                  anything else: the application's own packets (transmit(offset, length))
 * </pre>
 */
public final class NetFrontConfig
{
    /** Largest id count per direction: one id per ring slot of a 4 KiB netif ring. */
    public static final int MAX_IDS = 256;

    private int frontendDomid = 1;
    private int backendDomid = 0;
    private int txIds = MAX_IDS;
    private int rxIds = MAX_IDS;
    private int txRingPage = 0;
    private int rxRingPage = 1;
    private int rxBufferFirstPage = 0;
    private int rxBufferCount = MAX_IDS;
    private int txBufferFirstPage = MAX_IDS;
    private int txBufferCount = 0;
    private int txBufferPages = 3;
    private int maxRxFragments = NetifConstants.NR_SLOTS_MIN;
    private int txEventPort = 1;
    private int rxEventPort = 2;
    private boolean singleEventChannel;

    /** Creates a configuration with the defaults. */
    public NetFrontConfig()
    {
    }

    /**
     * Copies another configuration (builders and devices copy what the caller passed rather than change it).
     *
     * @param other the configuration to copy.
     */
    public NetFrontConfig(final NetFrontConfig other)
    {
        frontendDomid = other.frontendDomid;
        backendDomid = other.backendDomid;
        txIds = other.txIds;
        rxIds = other.rxIds;
        txRingPage = other.txRingPage;
        rxRingPage = other.rxRingPage;
        rxBufferFirstPage = other.rxBufferFirstPage;
        rxBufferCount = other.rxBufferCount;
        txBufferFirstPage = other.txBufferFirstPage;
        txBufferCount = other.txBufferCount;
        txBufferPages = other.txBufferPages;
        maxRxFragments = other.maxRxFragments;
        txEventPort = other.txEventPort;
        rxEventPort = other.rxEventPort;
    }

    /**
     * Grant refs a {@link NetFront} with this configuration allocates when it opens: one per ring, one per id.
     *
     * @return {@code 2 + txIds + rxIds}.
     */
    public int grantRefsNeeded()
    {
        return 2 + txIds + rxIds;
    }

    /**
     * Guest pages the rx buffer pool and the tx claim buffers reach up to.
     *
     * @return the smallest guest memory page count that holds both pools.
     */
    public int guestPagesNeeded()
    {
        final int rxEnd = rxBufferFirstPage + rxBufferCount;
        final int txEnd = txBufferCount == 0 ? 0 : txBufferFirstPage + txBufferCount * txBufferPages;
        return Math.max(rxEnd, txEnd);
    }

    /**
     * Ring memory pages the two shared rings need.
     *
     * @return {@code max(txRingPage, rxRingPage) + 1}.
     */
    public int ringPagesNeeded()
    {
        return Math.max(txRingPage, rxRingPage) + 1;
    }

    /** @return this frontend's domain id. */
    public int frontendDomid()
    {
        return frontendDomid;
    }

    /** @param v this frontend's domain id. @return this. */
    public NetFrontConfig frontendDomid(final int v)
    {
        frontendDomid = v;
        return this;
    }

    /** @return the backend's domain id (granted access). */
    public int backendDomid()
    {
        return backendDomid;
    }

    /** @param v the backend's domain id. @return this. */
    public NetFrontConfig backendDomid(final int v)
    {
        backendDomid = v;
        return this;
    }

    /** @return tx ids (outstanding tx slots), a power of two up to 256. */
    public int txIds()
    {
        return txIds;
    }

    /** @param v tx ids, a power of two up to 256. @return this. */
    public NetFrontConfig txIds(final int v)
    {
        txIds = v;
        return this;
    }

    /** @return rx ids (posted rx buffers at most), a power of two up to 256. */
    public int rxIds()
    {
        return rxIds;
    }

    /** @param v rx ids, a power of two up to 256. @return this. */
    public NetFrontConfig rxIds(final int v)
    {
        rxIds = v;
        return this;
    }

    /** @return page of the ring memory holding the tx shared ring. */
    public int txRingPage()
    {
        return txRingPage;
    }

    /** @param v page of the ring memory holding the tx shared ring. @return this. */
    public NetFrontConfig txRingPage(final int v)
    {
        txRingPage = v;
        return this;
    }

    /** @return page of the ring memory holding the rx shared ring. */
    public int rxRingPage()
    {
        return rxRingPage;
    }

    /** @param v page of the ring memory holding the rx shared ring. @return this. */
    public NetFrontConfig rxRingPage(final int v)
    {
        rxRingPage = v;
        return this;
    }

    /** @return first guest page of the rx buffer pool. */
    public int rxBufferFirstPage()
    {
        return rxBufferFirstPage;
    }

    /** @param v first guest page of the rx buffer pool. @return this. */
    public NetFrontConfig rxBufferFirstPage(final int v)
    {
        rxBufferFirstPage = v;
        return this;
    }

    /** @return rx buffers (one page each), a power of two. */
    public int rxBufferCount()
    {
        return rxBufferCount;
    }

    /** @param v rx buffers (one page each), a power of two. @return this. */
    public NetFrontConfig rxBufferCount(final int v)
    {
        rxBufferCount = v;
        return this;
    }

    /** @return first guest page of the tx claim buffers. */
    public int txBufferFirstPage()
    {
        return txBufferFirstPage;
    }

    /** @param v first guest page of the tx claim buffers. @return this. */
    public NetFrontConfig txBufferFirstPage(final int v)
    {
        txBufferFirstPage = v;
        return this;
    }

    /** @return tx claim buffers: 0 (no claim API) or a power of two. */
    public int txBufferCount()
    {
        return txBufferCount;
    }

    /** @param v tx claim buffers: 0 or a power of two. @return this. */
    public NetFrontConfig txBufferCount(final int v)
    {
        txBufferCount = v;
        return this;
    }

    /** @return pages per tx claim buffer (largest claim = pages * 4096). */
    public int txBufferPages()
    {
        return txBufferPages;
    }

    /** @param v pages per tx claim buffer (1..17). @return this. */
    public NetFrontConfig txBufferPages(final int v)
    {
        txBufferPages = v;
        return this;
    }

    /** @return the bound on rx fragments per packet (Linux: XEN_NETIF_NR_SLOTS_MIN). */
    public int maxRxFragments()
    {
        return maxRxFragments;
    }

    /** @param v the bound on rx fragments per packet. @return this. */
    public NetFrontConfig maxRxFragments(final int v)
    {
        maxRxFragments = v;
        return this;
    }

    /** @return local port of the tx event channel. */
    public int txEventPort()
    {
        return txEventPort;
    }

    /** @param v local port of the tx event channel. @return this. */
    public NetFrontConfig txEventPort(final int v)
    {
        txEventPort = v;
        return this;
    }

    /** @return local port of the rx event channel. */
    public int rxEventPort()
    {
        return rxEventPort;
    }

    /** @param v local port of the rx event channel. @return this. */
    public NetFrontConfig rxEventPort(final int v)
    {
        rxEventPort = v;
        return this;
    }

    /**
     * @return whether the xenbus frontend publishes one {@code event-channel} for both rings even when the backend
     *     offers {@code feature-split-event-channels}.
     */
    public boolean singleEventChannel()
    {
        return singleEventChannel;
    }

    /** @param v force one event channel for both rings (netif.h {@code event-channel}). @return this. */
    public NetFrontConfig singleEventChannel(final boolean v)
    {
        singleEventChannel = v;
        return this;
    }

    /**
     * Checks the parameters against each other.
     *
     * @param pageCount pages of the guest memory.
     * @param ringPageCount pages of the ring memory.
     * @return this.
     */
    public NetFrontConfig validate(final int pageCount, final int ringPageCount)
    {
        checkPowerOfTwo("txIds", txIds, MAX_IDS);
        checkPowerOfTwo("rxIds", rxIds, MAX_IDS);
        checkPowerOfTwo("rxBufferCount", rxBufferCount, 1 << 20);
        if (txBufferCount != 0)
        {
            checkPowerOfTwo("txBufferCount", txBufferCount, 1 << 20);
        }
        checkRange("txBufferPages", txBufferPages, 1, 17);
        checkRange("maxRxFragments", maxRxFragments, 1, 64);
        checkRange("frontendDomid", frontendDomid, 0, 0x7FEF);
        checkRange("backendDomid", backendDomid, 0, 0x7FEF);
        checkRange("txRingPage", txRingPage, 0, ringPageCount - 1);
        checkRange("rxRingPage", rxRingPage, 0, ringPageCount - 1);
        if (txRingPage == rxRingPage)
        {
            throw new IllegalArgumentException("tx and rx rings share a page: txRingPage=" + txRingPage);
        }
        if (rxBufferFirstPage < 0 || txBufferFirstPage < 0 || guestPagesNeeded() > pageCount)
        {
            throw new IllegalArgumentException(describePages(pageCount));
        }
        return this;
    }

    /**
     * Says what the buffer pools need and what to change.
     *
     * @param pageCount pages the guest memory has.
     * @return e.g. {@code "needs 448 guest pages for 256 rx buffers at page 0 + 64 tx buffers of 3 pages at page 256,
     *         has 300: raise the guest's page count or shrink the pools"}.
     */
    public String describePages(final int pageCount)
    {
        return "needs " + guestPagesNeeded() + " guest pages for " + rxBufferCount + " rx buffers at page " +
            rxBufferFirstPage + " + " + txBufferCount + " tx buffers of " + txBufferPages + " pages at page " +
            txBufferFirstPage + ", has " + pageCount + ": raise the guest's page count or shrink the pools";
    }

    /**
     * Says what the grant refs are needed for and what to change.
     *
     * @param refs refs available.
     * @return e.g. {@code "needs 322 grant refs for 256 rx + 64 tx ids + 2 rings, has 258: ..."}.
     */
    public String describeGrantRefs(final int refs)
    {
        return "needs " + grantRefsNeeded() + " grant refs for " + rxIds + " rx + " + txIds + " tx ids + 2 rings, " +
            "has " + refs + ": raise the guest's grant refs or lower rxIds/txIds";
    }

    private static void checkPowerOfTwo(final String name, final int value, final int max)
    {
        if (value < 1 || value > max || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(
                name + " must be a power of two in 1.." + max + ": " + name + "=" + value);
        }
    }

    private static void checkRange(final String name, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " out of range " + min + ".." + max + ": " + name + "=" + value);
        }
    }
}
