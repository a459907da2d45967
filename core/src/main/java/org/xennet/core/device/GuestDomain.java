package org.xennet.core.device;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantRefAllocator;
import org.xennet.grant.GrantTable;
import org.xennet.grant.GrantTableV1;
import org.xennet.grant.GrantTableV2;

/**
 * An in-process guest domain: its id, its memory (packets and buffers), a small memory for ring pages, its grant
 * table and ref allocator. Setup-time object; build one with a {@link Context}, which derives grant refs and
 * pages from the devices' {@link NetFrontConfig}s:
 * <pre>{@code
 * GuestDomain guest = new GuestDomain.Context().domid(1).device(config).build();
 * }</pre>
 *
 * @param domid      the domain id.
 * @param memory     guest memory for packets and buffers.
 * @param ringMemory guest memory for the shared ring pages.
 * @param grantTable the domain's grant table.
 * @param allocator  the domain's grant ref allocator.
 */
public record GuestDomain(
    int domid, GuestMemory memory, GuestMemory ringMemory, GrantTable grantTable, GrantRefAllocator allocator)
{
    /** Default frame of the first ring page: low memory, within every grant version's reach. */
    public static final long DEFAULT_RING_FIRST_FRAME = 0x1000;

    /**
     * Parameters of a {@link GuestDomain}, in the Aeron/Agrona Context style: named setters, everything derivable is
     * derived from the devices added with {@link #device(NetFrontConfig)} (grant refs: {@code 2 + txIds + rxIds}
     * each; guest pages: up to the end of the highest buffer pool, plus {@link #appPages(int)}; ring pages: two per
     * device), and {@link #build()} checks explicit values against what the devices need, with a message that says
     * what to change. The configurations passed in are copied, never changed.
     */
    public static final class Context
    {
        private int domid = 1;
        private int grantVersion = 1;
        private int grantRefs = -1;
        private int pageCount = -1;
        private int appPages;
        private long firstFrame = 0x10_0000;
        private long ringFirstFrame = DEFAULT_RING_FIRST_FRAME;
        private final java.util.List<NetFrontConfig> devices = new java.util.ArrayList<>();

        /** @param domid the domain id. @return this. */
        public Context domid(final int domid)
        {
            this.domid = domid;
            return this;
        }

        /** @param grantVersion grant table version, 1 or 2. @return this. */
        public Context grantVersion(final int grantVersion)
        {
            this.grantVersion = grantVersion;
            return this;
        }

        /**
         * Adds a device this guest will open (a copy is kept: later changes to {@code config} are not seen).
         *
         * @param config the device's packet-path configuration.
         * @return this.
         */
        public Context device(final NetFrontConfig config)
        {
            devices.add(new NetFrontConfig(config));
            return this;
        }

        /** @param grantRefs grant refs beyond the reserved ones (default: what the devices need). @return this. */
        public Context grantRefs(final int grantRefs)
        {
            this.grantRefs = grantRefs;
            return this;
        }

        /** @param pageCount pages of guest memory (default: what the devices' pools need + app pages). @return this. */
        public Context pageCount(final int pageCount)
        {
            this.pageCount = pageCount;
            return this;
        }

        /** @param appPages pages for the application's own packets after the pools (default 0). @return this. */
        public Context appPages(final int appPages)
        {
            this.appPages = appPages;
            return this;
        }

        /** @param firstFrame frame of the first guest page. @return this. */
        public Context firstFrame(final long firstFrame)
        {
            this.firstFrame = firstFrame;
            return this;
        }

        /** @param ringFirstFrame frame of the first ring page. @return this. */
        public Context ringFirstFrame(final long ringFirstFrame)
        {
            this.ringFirstFrame = ringFirstFrame;
            return this;
        }

        /** @return grant refs the devices need together. */
        public int grantRefsNeeded()
        {
            int refs = 0;
            for (final NetFrontConfig config : devices)
            {
                refs += config.grantRefsNeeded();
            }
            return refs;
        }

        /** @return guest pages the devices' pools need (they may share pages), plus the app pages. */
        public int pagesNeeded()
        {
            int pages = 0;
            for (final NetFrontConfig config : devices)
            {
                pages = Math.max(pages, config.guestPagesNeeded());
            }
            return pages + appPages;
        }

        /** @return ring pages the devices need (at least 2). */
        public int ringPagesNeeded()
        {
            int pages = 2;
            for (final NetFrontConfig config : devices)
            {
                pages = Math.max(pages, config.ringPagesNeeded());
            }
            return pages;
        }

        /**
         * Checks the parameters and builds the domain.
         *
         * @return a fresh domain.
         * @throws IllegalArgumentException naming what is short and what to change.
         */
        public GuestDomain build()
        {
            if (grantVersion != 1 && grantVersion != 2)
            {
                throw new IllegalArgumentException("grantVersion must be 1 or 2: grantVersion=" + grantVersion);
            }
            final int refs = grantRefs < 0 ? grantRefsNeeded() : grantRefs;
            if (refs < grantRefsNeeded())
            {
                throw new IllegalArgumentException(describeRefs(refs));
            }
            final int pages = pageCount < 0 ? Math.max(1, pagesNeeded()) : pageCount;
            if (pages < pagesNeeded())
            {
                throw new IllegalArgumentException(describePages(pages));
            }
            for (final NetFrontConfig config : devices)
            {
                config.frontendDomid(domid).validate(pages, ringPagesNeeded());
            }
            return create(domid, grantVersion, refs, pages, firstFrame, ringPagesNeeded(), ringFirstFrame);
        }

        private String describeRefs(final int refs)
        {
            if (devices.size() == 1)
            {
                return devices.get(0).describeGrantRefs(refs);
            }
            return "needs " + grantRefsNeeded() + " grant refs for " + devices.size() +
                " devices (2 + txIds + rxIds each), has " + refs + ": raise grantRefs or lower the ids";
        }

        private String describePages(final int pages)
        {
            if (devices.size() == 1 && appPages == 0)
            {
                return devices.get(0).describePages(pages);
            }
            return "needs " + pagesNeeded() + " guest pages for the devices' buffer pools + " + appPages +
                " app pages, has " + pages + ": raise pageCount or shrink the pools";
        }
    }

    /**
     * Creates a domain with a fresh grant table large enough for {@code refsNeeded} refs beyond the reserved ones.
     *
     * @param domid          domain id.
     * @param grantVersion   1 or 2.
     * @param refsNeeded     refs the devices will allocate.
     * @param pageCount      pages of guest memory.
     * @param firstFrame     frame of the first guest page.
     * @param ringPageCount  pages of ring memory.
     * @param ringFirstFrame frame of the first ring page.
     * @return the domain.
     */
    public static GuestDomain create(
        final int domid,
        final int grantVersion,
        final int refsNeeded,
        final int pageCount,
        final long firstFrame,
        final int ringPageCount,
        final long ringFirstFrame)
    {
        final GrantTable table = newGrantTable(grantVersion, refsNeeded + GrantConstants.NR_RESERVED_ENTRIES);
        return new GuestDomain(
            domid,
            new GuestMemory(pageCount, firstFrame),
            new GuestMemory(ringPageCount, ringFirstFrame),
            table,
            new GrantRefAllocator(table.entryCount()));
    }

    /**
     * Creates a domain whose grant table the run-time version policy chose ({@link HypervisorGrantVersion}).
     *
     * @param domid          domain id.
     * @param choice         the table the policy created and why.
     * @param pageCount      pages of guest memory.
     * @param firstFrame     frame of the first guest page.
     * @param ringPageCount  pages of ring memory.
     * @param ringFirstFrame frame of the first ring page.
     * @return the domain.
     */
    public static GuestDomain create(
        final int domid,
        final HypervisorGrantVersion.Choice choice,
        final int pageCount,
        final long firstFrame,
        final int ringPageCount,
        final long ringFirstFrame)
    {
        return new GuestDomain(
            domid,
            new GuestMemory(pageCount, firstFrame),
            new GuestMemory(ringPageCount, ringFirstFrame),
            choice.table(),
            new GrantRefAllocator(choice.table().entryCount()));
    }

    /**
     * Creates a grant table of the given version with at least {@code entries} entries (whole frames).
     *
     * @param version 1 or 2.
     * @param entries entries wanted.
     * @return the table over fresh page-aligned frames.
     */
    public static GrantTable newGrantTable(final int version, final int entries)
    {
        if (version == 1)
        {
            final int frames = ceilDiv(entries, GrantEntryV1Descriptor.ENTRIES_PER_FRAME);
            return new GrantTableV1(pages(frames));
        }
        if (version == 2)
        {
            final int frames = ceilDiv(entries, GrantEntryV2Descriptor.ENTRIES_PER_FRAME);
            final int statusFrames = ceilDiv(
                frames * GrantEntryV2Descriptor.ENTRIES_PER_FRAME, GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME);
            return new GrantTableV2(pages(frames), pages(statusFrames));
        }
        throw new IllegalArgumentException("grant version must be 1 or 2: version=" + version);
    }

    private static AtomicBuffer pages(final int count)
    {
        return new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(count * GuestMemory.PAGE_LENGTH, GuestMemory.PAGE_LENGTH));
    }

    private static int ceilDiv(final int a, final int b)
    {
        return (a + b - 1) / b;
    }
}
