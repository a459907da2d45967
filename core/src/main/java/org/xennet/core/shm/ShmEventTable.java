package org.xennet.core.shm;

import org.agrona.concurrent.AtomicBuffer;
import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannels;

import static org.xennet.core.shm.ShmFileDescriptor.EVENT_PENDING_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_BOUND_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_LENGTH;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_OWNER_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_PORTS;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_FREE;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_INTERDOMAIN;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_STATE_UNBOUND;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_TO_BACKEND_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVTCHN_TO_FRONTEND_OFFSET;

/**
 * The shared device file's event table as {@link EventChannels}: the frontend allocates ports in it
 * ({@code alloc_unbound}: state free to unbound, owner = its pid), the backend binds to the port the frontend
 * published ({@code bind_interdomain}: unbound to interdomain). A port binds only while a live process holds it
 * unbound: a free port, a bound one, or one whose owner has died (stale keys of a killed frontend) is refused.
 * Setup-time only; the ends it returns are the hot-path objects.
 */
public final class ShmEventTable implements EventChannels
{
    private final AtomicBuffer table;
    private final int frontendDomid;
    private final int backendDomid;
    private final int myPid = (int)ProcessHandle.current().pid();
    private int nextPort = 1; // this process's allocations rotate, so a freed port is not handed out again at once

    ShmEventTable(final AtomicBuffer table, final int frontendDomid, final int backendDomid)
    {
        this.table = table;
        this.frontendDomid = frontendDomid;
        this.backendDomid = backendDomid;
    }

    @Override
    public synchronized EventChannel allocUnbound(final int domid, final int remoteDomid)
    {
        if (domid != frontendDomid || remoteDomid != backendDomid)
        {
            return null;
        }
        for (int i = 0; i < EVTCHN_PORTS - 1; i++)
        {
            final int port = 1 + (nextPort - 1 + i) % (EVTCHN_PORTS - 1);
            final int entry = port * EVTCHN_LENGTH;
            if (table.getIntAcquire(entry + EVTCHN_STATE_OFFSET) != EVTCHN_STATE_FREE)
            {
                continue;
            }
            table.putInt(entry + EVTCHN_OWNER_PID_OFFSET, myPid);
            table.putInt(entry + EVTCHN_BOUND_PID_OFFSET, 0);
            table.putIntRelease(entry + EVTCHN_TO_BACKEND_OFFSET + EVENT_PENDING_OFFSET, 0);
            table.putIntRelease(entry + EVTCHN_TO_FRONTEND_OFFSET + EVENT_PENDING_OFFSET, 0);
            // CAS is a full fence: a binder that sees unbound sees the owner first.
            if (table.compareAndSetInt(entry + EVTCHN_STATE_OFFSET, EVTCHN_STATE_FREE, EVTCHN_STATE_UNBOUND))
            {
                nextPort = port % (EVTCHN_PORTS - 1) + 1;
                return new ShmEventChannel(table, port, true, myPid, myPid);
            }
        }
        return null;
    }

    @Override
    public synchronized EventChannel bindInterdomain(final int domid, final int remoteDomid, final long remotePort)
    {
        if (domid != backendDomid || remoteDomid != frontendDomid || remotePort <= 0 || remotePort >= EVTCHN_PORTS)
        {
            return null;
        }
        final int entry = (int)remotePort * EVTCHN_LENGTH;
        if (table.getIntAcquire(entry + EVTCHN_STATE_OFFSET) != EVTCHN_STATE_UNBOUND)
        {
            return null;
        }
        final int owner = table.getInt(entry + EVTCHN_OWNER_PID_OFFSET);
        if (!alive(owner))
        {
            return null; // left by a frontend that died: nobody holds it
        }
        table.putInt(entry + EVTCHN_BOUND_PID_OFFSET, myPid);
        if (!table.compareAndSetInt(entry + EVTCHN_STATE_OFFSET, EVTCHN_STATE_UNBOUND, EVTCHN_STATE_INTERDOMAIN))
        {
            return null;
        }
        return new ShmEventChannel(table, (int)remotePort, false, owner, myPid);
    }

    /**
     * Frees every port whose owner is not alive (a frontend that died without closing them): what a new frontend
     * does before allocating, as the hypervisor frees a dead domain's ports.
     *
     * @return ports freed.
     */
    public synchronized int reclaimDead()
    {
        int freed = 0;
        for (int port = 1; port < EVTCHN_PORTS; port++)
        {
            final int entry = port * EVTCHN_LENGTH;
            final int state = table.getIntAcquire(entry + EVTCHN_STATE_OFFSET);
            if (state != EVTCHN_STATE_FREE && !alive(table.getInt(entry + EVTCHN_OWNER_PID_OFFSET)))
            {
                table.putIntRelease(entry + EVTCHN_STATE_OFFSET, EVTCHN_STATE_FREE);
                table.putInt(entry + EVTCHN_OWNER_PID_OFFSET, 0);
                freed++;
            }
        }
        return freed;
    }

    /**
     * Frees every port: what a frontend does once it holds the file's frontend claim, since every port then belongs
     * to a frontend that is gone (a backend still bound to one sees its sends dropped).
     *
     * @return ports that were in use.
     */
    public synchronized int reclaimAll()
    {
        int freed = 0;
        for (int port = 1; port < EVTCHN_PORTS; port++)
        {
            final int entry = port * EVTCHN_LENGTH;
            if (table.getIntAcquire(entry + EVTCHN_STATE_OFFSET) != EVTCHN_STATE_FREE)
            {
                table.putIntRelease(entry + EVTCHN_STATE_OFFSET, EVTCHN_STATE_FREE);
                table.putInt(entry + EVTCHN_OWNER_PID_OFFSET, 0);
                freed++;
            }
        }
        return freed;
    }

    /**
     * @param port a port number.
     * @return its state code ({@code EVTCHN_STATE_*}), or -1 when out of range.
     */
    public int state(final int port)
    {
        return port <= 0 || port >= EVTCHN_PORTS ? -1 : table.getIntAcquire(port * EVTCHN_LENGTH + EVTCHN_STATE_OFFSET);
    }

    /** @return ports not free. */
    public int inUse()
    {
        int used = 0;
        for (int port = 1; port < EVTCHN_PORTS; port++)
        {
            used += state(port) == EVTCHN_STATE_FREE ? 0 : 1;
        }
        return used;
    }

    static boolean alive(final int pid)
    {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
