package org.xennet.core.netfront;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A received packet as the fragments the backend wrote ({@code NETRXF_more_data} chains), in place in the guest's
 * rx buffers: no copy on the receive path. Passed to {@link RxFragmentsHandler}; valid only during that call (the
 * buffers go back to the pool right after). {@link #copyTo} gathers the fragments into one buffer for callers that
 * want the packet contiguous. One instance per {@link NetFront}, reused for every packet.
 */
public final class RxFragments
{
    private final int[] offsets;
    private final int[] lengths;
    private DirectBuffer buffer;
    private int count;
    private int length;

    RxFragments(final int maxFragments)
    {
        offsets = new int[maxFragments];
        lengths = new int[maxFragments];
    }

    void reset(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        count = 0;
        length = 0;
    }

    void add(final int offset, final int fragmentLength)
    {
        offsets[count] = offset;
        lengths[count] = fragmentLength;
        count++;
        length += fragmentLength;
    }

    /** @return the buffer every fragment lies in (the guest memory). */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the number of fragments (&ge; 1). */
    public int count()
    {
        return count;
    }

    /** @return the packet length: the sum of the fragment lengths. */
    public int length()
    {
        return length;
    }

    /**
     * @param fragment fragment index (0 .. count - 1).
     * @return offset of the fragment's first byte in {@link #buffer()}.
     */
    public int offset(final int fragment)
    {
        checkFragment(fragment);
        return offsets[fragment];
    }

    /**
     * @param fragment fragment index (0 .. count - 1).
     * @return the fragment's length in bytes.
     */
    public int length(final int fragment)
    {
        checkFragment(fragment);
        return lengths[fragment];
    }

    /**
     * Copies the whole packet, fragment after fragment, into one buffer.
     *
     * @param dst       destination.
     * @param dstOffset where the first byte goes.
     * @return bytes copied ({@link #length()}).
     * @throws IndexOutOfBoundsException if {@code dst} has less than {@link #length()} bytes from {@code dstOffset}.
     */
    public int copyTo(final MutableDirectBuffer dst, final int dstOffset)
    {
        if (dstOffset < 0 || dstOffset > dst.capacity() - length)
        {
            throw new IndexOutOfBoundsException("packet does not fit: dstOffset=" + dstOffset + ", length=" + length +
                ", capacity=" + dst.capacity());
        }
        int position = dstOffset;
        for (int i = 0; i < count; i++)
        {
            dst.putBytes(position, buffer, offsets[i], lengths[i]);
            position += lengths[i];
        }
        return length;
    }

    private void checkFragment(final int fragment)
    {
        if (fragment < 0 || fragment >= count)
        {
            throw new IndexOutOfBoundsException("fragment=" + fragment + ", count=" + count);
        }
    }

    @Override
    public String toString()
    {
        return "RxFragments{count=" + count + ", length=" + length + '}';
    }
}
