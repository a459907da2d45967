package org.xennet.core.netfront;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A single-producer single-consumer ring of small ints (free ids, free buffer indices): the hand-off between
 * the thread that takes ids (transmit / refill) and the thread that gives them back (pollTx / pollRx), like
 * iPXE's {@code ids[]} with {@code id_prod}/{@code id_cons} but safe across threads.
 * <p>
 * The taker may {@link #peek(int)} ahead without consuming, so a failed grant leaves every id in place;
 * {@link #take(int)} consumes only after everything that can fail has succeeded.
 */
final class FreeIdRing
{
    private final int[] entries;
    private final int mask;
    private final AtomicInteger prod = new AtomicInteger(); // written by the giver only
    private final AtomicInteger cons = new AtomicInteger(); // written by the taker only

    FreeIdRing(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: capacity=" + capacity);
        }
        entries = new int[capacity];
        mask = capacity - 1;
    }

    /** Refills with {@code first .. first+count-1}; only while no other thread uses the ring. */
    void reset(final int first, final int count)
    {
        if (count > entries.length)
        {
            throw new IllegalArgumentException("count exceeds capacity: count=" + count);
        }
        for (int i = 0; i < count; i++)
        {
            entries[i] = first + i;
        }
        cons.set(0);
        prod.set(count);
    }

    /** Empties the ring; only while no other thread uses it. */
    void clear()
    {
        cons.set(0);
        prod.set(0);
    }

    /** Taker: entries available to take. */
    int available()
    {
        return prod.getAcquire() - cons.getPlain(); // acquire: entries written before prod are visible
    }

    /** Taker: the entry {@code ahead} places from the head, without consuming it. */
    int peek(final int ahead)
    {
        return entries[(cons.getPlain() + ahead) & mask];
    }

    /** Taker: consumes {@code count} entries previously peeked. */
    void take(final int count)
    {
        cons.setRelease(cons.getPlain() + count); // release: the giver may overwrite these slots afterwards
    }

    /** Giver: returns one entry. */
    void give(final int value)
    {
        final int p = prod.getPlain();
        if (p - cons.getAcquire() >= entries.length)
        {
            throw new IllegalStateException("free id ring overflow: value=" + value); // internal invariant broken
        }
        entries[p & mask] = value;
        prod.setRelease(p + 1); // release: the taker sees the entry before the index
    }

    /** Any thread: entries currently in the ring (a snapshot). */
    int size()
    {
        return prod.get() - cons.get();
    }

    int capacity()
    {
        return entries.length;
    }

    /** Snapshot of the indices, for tests comparing state: {@code [prod, cons]}. */
    long indices()
    {
        return ((long)prod.get() << 32) | (cons.get() & 0xFFFF_FFFFL);
    }
}
