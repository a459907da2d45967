package org.xennet.core.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.core.event.EventChannel;

import static org.xennet.core.shm.ShmFileDescriptor.EVENT_COUNT_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVENT_PENDING_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_BOUND_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_LENGTH;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_OWNER_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_FREE;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_INTERDOMAIN;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_UNBOUND;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_TO_BACKEND_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_TO_FRONTEND_OFFSET;

/**
 * One end of an event channel in the shared device file's event table ({@code struct xennet_shm_evtchn}): the
 * frontend's end (from {@link ShmEventTable#allocUnbound}) or the backend's (from
 * {@link ShmEventTable#bindInterdomain}). {@link #notifyPeer()} counts and sets the peer direction's pending flag
 * while the channel is bound; {@link #consume()} clears this direction's flag. A wake-up hint only: the rings are
 * the truth. Allocation-free and lock-free.
 */
public final class ShmEventChannel implements EventChannel
{
    private final AtomicBuffer table;
    private final int port;
    private final boolean frontendEnd;
    private final int stateOffset;
    private final int ownerOffset;
    private final int boundOffset;
    private final int sendPendingOffset;
    private final int sendCountOffset;
    private final int receivePendingOffset;
    private final int ownerPid;
    private final int myPid;
    private boolean closed;

    ShmEventChannel(
        final AtomicBuffer table, final int port, final boolean frontendEnd, final int ownerPid, final int myPid)
    {
        this.table = table;
        this.port = port;
        this.frontendEnd = frontendEnd;
        final int entry = port * EVTCHN_LENGTH;
        this.stateOffset = entry + EVTCHN_STATE_OFFSET;
        this.ownerOffset = entry + EVTCHN_OWNER_PID_OFFSET;
        this.boundOffset = entry + EVTCHN_BOUND_PID_OFFSET;
        final int send = entry + (frontendEnd ? EVTCHN_TO_BACKEND_OFFSET : EVTCHN_TO_FRONTEND_OFFSET);
        final int receive = entry + (frontendEnd ? EVTCHN_TO_FRONTEND_OFFSET : EVTCHN_TO_BACKEND_OFFSET);
        this.sendPendingOffset = send + EVENT_PENDING_OFFSET;
        this.sendCountOffset = send + EVENT_COUNT_OFFSET;
        this.receivePendingOffset = receive + EVENT_PENDING_OFFSET;
        this.ownerPid = ownerPid;
        this.myPid = myPid;
    }

    @Override
    public int port()
    {
        return port;
    }

    /**
     * Sends when the channel is bound (as Xen, an event on an unbound port is dropped): count, then a release store
     * of the pending flag, so the peer sees our ring writes before the flag.
     */
    @Override
    public boolean notifyPeer()
    {
        if (closed || table.getIntAcquire(stateOffset) != EVTCHN_STATE_INTERDOMAIN)
        {
            return false;
        }
        table.getAndAddInt(sendCountOffset, 1);
        table.putIntRelease(sendPendingOffset, 1);
        return true;
    }

    @Override
    public boolean pending()
    {
        return table.getIntAcquire(receivePendingOffset) != 0;
    }

    @Override
    public boolean consume()
    {
        if (table.getIntAcquire(receivePendingOffset) == 0) // cheap read first: a spinning end does not bounce the line
        {
            return false;
        }
        return table.getAndSetInt(receivePendingOffset, 0) != 0;
    }

    /**
     * Frontend: frees the port (if it is still ours). Backend: unbinds it, back to unbound (if still bound by us to
     * the same owner), as {@code EVTCHNOP_close} leaves the remote end unbound.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (table.getInt(ownerOffset) != ownerPid)
        {
            return; // the port was reclaimed and handed to someone else: not ours to touch
        }
        if (frontendEnd)
        {
            table.putIntRelease(stateOffset, EVTCHN_STATE_FREE);
            table.putIntRelease(ownerOffset, 0);
        }
        else if (table.getInt(boundOffset) == myPid)
        {
            table.compareAndSetInt(stateOffset, EVTCHN_STATE_INTERDOMAIN, EVTCHN_STATE_UNBOUND);
        }
    }

    /** @return notifications sent on this port in this end's direction (u32, wraps). */
    public long notificationsSent()
    {
        return table.getIntVolatile(sendCountOffset) & 0xFFFF_FFFFL;
    }

    @Override
    public String toString()
    {
        return "ShmEventChannel{port=" + port + ", end=" + (frontendEnd ? "frontend" : "backend") + ", state=" +
            table.getIntVolatile(stateOffset) + ", closed=" + closed + '}';
    }
}
