package org.xennet.core.event;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process {@link EventChannels}: the hypervisor's view of unbound event channel ends, per domain and port.
 * A frontend allocates an end ({@link #allocUnbound}) and publishes the port in xenstore; a backend that read the
 * port binds a new end to it ({@link #bindInterdomain}). Closing the frontend's end frees its port.
 * <p>
 * Ports count up per domain and are not handed out again until the numbers run out (then the lowest free one):
 * real Xen reuses the lowest free port at once, but then a stale key a dead frontend left could name the port a
 * new frontend has just allocated and not yet published; this model is stricter on purpose. Thread-safe;
 * setup-time only.
 */
public final class EventChannelRegistry implements EventChannels
{
    private static final int MAX_PORT = 4095; // EVTCHN_2L_NR_CHANNELS on 32-bit guests: plenty for a test host

    private final ConcurrentHashMap<Long, Entry> ends = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Integer> nextPort = new ConcurrentHashMap<>();

    private record Entry(LocalEventChannel end, int remoteDomid)
    {
    }

    @Override
    public synchronized EventChannel allocUnbound(final int domid, final int remoteDomid)
    {
        final int first = nextPort.getOrDefault(domid, 1);
        for (int i = 0; i < MAX_PORT; i++)
        {
            final int port = 1 + (first - 1 + i) % MAX_PORT;
            final Long key = key(domid, port);
            if (!ends.containsKey(key))
            {
                final LocalEventChannel end = new LocalEventChannel(port);
                final Entry entry = new Entry(end, remoteDomid);
                ends.put(key, entry);
                end.onClose(() -> ends.remove(key, entry));
                nextPort.put(domid, port % MAX_PORT + 1);
                return end;
            }
        }
        return null;
    }

    @Override
    public synchronized EventChannel bindInterdomain(final int domid, final int remoteDomid, final long remotePort)
    {
        if (remotePort <= 0 || remotePort > MAX_PORT)
        {
            return null;
        }
        final Entry entry = ends.get(key(remoteDomid, (int)remotePort));
        if (null == entry || entry.end().isBound() || entry.end().isClosed() ||
            (entry.remoteDomid() >= 0 && entry.remoteDomid() != domid))
        {
            return null;
        }
        return LocalEventChannel.bindTo(entry.end(), (int)remotePort);
    }

    /** @return registered ends. */
    public int size()
    {
        return ends.size();
    }

    private static Long key(final int domid, final int port)
    {
        return ((long)domid << 32) | (port & 0xFFFF_FFFFL);
    }
}
