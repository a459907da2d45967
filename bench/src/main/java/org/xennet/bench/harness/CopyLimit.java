package org.xennet.bench.harness;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;

/**
 * The ceiling of a copying backend ({@code copy-limit}): one thread copying a packet out of a pool of 256 guest
 * pages into a second pool, page by page as a grant copy must (a copy never crosses a page, so 9000 bytes are
 * three copies); the JMH {@code CopyLimitBenchmark} in the same shape. Each step copies one packet.
 */
public final class CopyLimit implements Workload
{
    /** Pages in each pool. */
    public static final int PAGE_COUNT = 256;

    private final UnsafeBuffer guestPages;
    private final UnsafeBuffer packetPages;
    private final int packetSize;
    private int page;

    /**
     * Allocates both pools page-aligned and touches every page.
     *
     * @param packetSize bytes per packet (1..65535).
     */
    public CopyLimit(final int packetSize)
    {
        PathDevices.check(packetSize, 2, 1);
        this.packetSize = packetSize;
        final int length = PAGE_COUNT * GuestMemory.PAGE_LENGTH;
        guestPages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, GuestMemory.PAGE_LENGTH));
        packetPages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, GuestMemory.PAGE_LENGTH));
        for (int i = 0; i < length; i += 8)
        {
            guestPages.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        packetPages.setMemory(0, length, (byte)0);
    }

    @Override
    public int frontWork()
    {
        final UnsafeBuffer src = guestPages;
        final UnsafeBuffer dst = packetPages;
        int remaining = packetSize;
        int p = page;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, GuestMemory.PAGE_LENGTH);
            final int offset = p * GuestMemory.PAGE_LENGTH;
            dst.putBytes(offset, src, offset, chunk);
            remaining -= chunk;
            p = (p + 1) & (PAGE_COUNT - 1);
        }
        page = p;
        return 1;
    }

    @Override
    public int backWork()
    {
        return 0;
    }

    @Override
    public boolean twoThreads()
    {
        return false;
    }

    @Override
    public String error()
    {
        return null;
    }

    @Override
    public void close()
    {
    }
}
