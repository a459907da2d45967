package org.xennet.core.memory;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Counters grouped by the role (thread) that writes them: each counter has exactly one writer, which updates it
 * with a release store (no lost updates, no locked instruction); any thread reads it with a volatile load. Each
 * role's counters sit in their own {@link #ROLE_LENGTH}-byte block, so roles running on different cores never
 * share a cache line (two lines per block: adjacent-line prefetch pairs them).
 * <pre>
 *   block 0: [counter 0][counter 1] ... [counter 15]   written by role 0 only
 *   block 1: [counter 0][counter 1] ... [counter 15]   written by role 1 only
 *   ...
 * </pre>
 */
public final class RoleCounters
{
    /** Bytes per role block: two 64-byte cache lines. */
    public static final int ROLE_LENGTH = 128;
    /** Counters per role block. */
    public static final int COUNTERS_PER_ROLE = ROLE_LENGTH / Long.BYTES;

    private final AtomicBuffer buffer;

    /**
     * Allocates zeroed counters for {@code roles} roles.
     *
     * @param roles number of role blocks.
     */
    public RoleCounters(final int roles)
    {
        if (roles < 1)
        {
            throw new IllegalArgumentException("roles must be positive: roles=" + roles);
        }
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(roles * ROLE_LENGTH, ROLE_LENGTH));
    }

    /**
     * Offset of one counter.
     *
     * @param role    role block index.
     * @param counter counter index within the block (0 .. {@link #COUNTERS_PER_ROLE}-1).
     * @return the counter's offset, to use with {@link #increment(int)}, {@link #add(int, long)}, {@link #get(int)}.
     */
    public static int offset(final int role, final int counter)
    {
        if (counter < 0 || counter >= COUNTERS_PER_ROLE)
        {
            throw new IllegalArgumentException("counter out of range 0.." + (COUNTERS_PER_ROLE - 1) + ": " + counter);
        }
        return role * ROLE_LENGTH + counter * Long.BYTES;
    }

    /**
     * Adds one; only the counter's own role may call this.
     *
     * @param offset the counter's offset.
     */
    public void increment(final int offset)
    {
        // Single writer: a plain read of our own last value, then a release store readers can see whole.
        buffer.putLongRelease(offset, buffer.getLong(offset) + 1);
    }

    /**
     * Adds {@code delta}; only the counter's own role may call this.
     *
     * @param offset the counter's offset.
     * @param delta  amount to add.
     */
    public void add(final int offset, final long delta)
    {
        buffer.putLongRelease(offset, buffer.getLong(offset) + delta);
    }

    /**
     * Reads a counter from any thread.
     *
     * @param offset the counter's offset.
     * @return its latest published value.
     */
    public long get(final int offset)
    {
        return buffer.getLongVolatile(offset);
    }
}
