package org.xennet.core.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * One direction of a cross-process event channel: a {@code struct xennet_shm_event} word in the shared file.
 * {@link #notifyPeer()} counts and sets the pending flag; {@link #consume()} clears it. Like a Xen event it is a
 * single bit (notifications before a consume collapse) and only a wake-up hint: the rings are the truth.
 */
public final class ShmEvent
{
    private final AtomicBuffer buffer;
    private final int pendingOffset;
    private final int countOffset;

    /**
     * Wraps an event word.
     *
     * @param buffer buffer holding the word (the event page).
     * @param offset offset of the {@code struct xennet_shm_event}.
     */
    public ShmEvent(final AtomicBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.pendingOffset = offset + ShmFileDescriptor.EVENT_PENDING_OFFSET;
        this.countOffset = offset + ShmFileDescriptor.EVENT_COUNT_OFFSET;
    }

    /**
     * Sends the event: count, then a release store of pending (the peer sees our ring writes before the flag).
     */
    public void notifyPeer()
    {
        buffer.getAndAddInt(countOffset, 1);
        buffer.putIntRelease(pendingOffset, 1);
    }

    /**
     * Clears the pending flag.
     *
     * @return whether an event was pending.
     */
    public boolean consume()
    {
        if (buffer.getIntAcquire(pendingOffset) == 0) // cheap read first: a spinning end does not bounce the line
        {
            return false;
        }
        return buffer.getAndSetInt(pendingOffset, 0) != 0;
    }

    /**
     * Whether an event is pending.
     *
     * @return the flag.
     */
    public boolean pending()
    {
        return buffer.getIntAcquire(pendingOffset) != 0;
    }

    /**
     * Notifications sent so far (u32, wraps).
     *
     * @return the counter.
     */
    public long count()
    {
        return buffer.getIntVolatile(countOffset) & 0xFFFF_FFFFL;
    }
}
