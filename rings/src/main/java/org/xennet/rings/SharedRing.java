package org.xennet.rings;

import static org.xennet.rings.SharedRingDescriptor.PAGE_LENGTH;
import static org.xennet.rings.SharedRingDescriptor.RING_OFFSET;

import org.agrona.concurrent.AtomicBuffer;

/**
 * What both halves of a Xen shared ring know: the shared page, the slot length and {@code RING_SIZE}
 * ({@code nr_ents}), and where slot {@code index} lives ({@code RING_GET_REQUEST}/{@code RING_GET_RESPONSE}).
 * {@link FrontRing} and {@link BackRing} add their private indices and the macros of their side.
 */
public abstract sealed class SharedRing permits FrontRing, BackRing
{
    final AtomicBuffer buffer;
    final int slotLength;
    final int size;
    final int mask;
    final long slotBase; // absolute address of slot 0: slots are reached by address, not buffer + offset

    SharedRing(final AtomicBuffer page, final int slotLength)
    {
        SharedRingDescriptor.checkPage(page);
        final int size = SharedRingDescriptor.ringSize(PAGE_LENGTH, slotLength);
        if (size < 1)
        {
            throw new IllegalArgumentException("slot does not fit the ring page: slotLength=" + slotLength);
        }
        this.buffer = page;
        this.slotLength = slotLength;
        this.size = size;
        this.mask = size - 1;
        this.slotBase = page.addressOffset() + RING_OFFSET; // checkPage: off-heap, so addressOffset is an address
    }

    /** @return the shared page. */
    public final AtomicBuffer buffer()
    {
        return buffer;
    }

    /** @return {@code RING_SIZE}: the slot count, a power of two. */
    public final int size()
    {
        return size;
    }

    /** @return length of one slot in bytes. */
    public final int slotLength()
    {
        return slotLength;
    }

    /**
     * {@code RING_GET_REQUEST}.
     *
     * @param index a free-running request index.
     * @return byte offset of its slot in {@link #buffer()}.
     */
    public final int requestOffset(final int index)
    {
        return RING_OFFSET + (index & mask) * slotLength;
    }

    /**
     * {@code RING_GET_RESPONSE}: responses share the request slots.
     *
     * @param index a free-running response index.
     * @return byte offset of its slot in {@link #buffer()}.
     */
    public final int responseOffset(final int index)
    {
        return RING_OFFSET + (index & mask) * slotLength;
    }

    /**
     * {@code RING_GET_REQUEST} / {@code RING_GET_RESPONSE} as an absolute address, for the slot flyweights: the
     * masked index keeps it inside the page, so the flyweight's field accesses need no bounds check and compile to
     * a load or store at a fixed displacement.
     *
     * @param index a free-running request or response index.
     * @return address of its slot (valid while the ring page is).
     */
    public final long slotAddress(final int index)
    {
        return slotBase + (index & mask) * slotLength;
    }
}
