package org.xennet.core.device;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantRefAllocator;
import org.xennet.grant.GrantTable;
import org.xennet.grant.GrantTableV1;
import org.xennet.grant.GrantTableV2;

/**
 * An in-process guest domain: its id, its memory (packets and buffers), a small memory for ring pages, its grant
 * table and ref allocator. Setup-time object.
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
