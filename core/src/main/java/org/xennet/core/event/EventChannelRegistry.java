package org.xennet.core.event;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The hypervisor's view of event channel ends, per domain and port: a frontend allocates an end
 * ({@link #allocUnbound}, {@code EVTCHNOP_alloc_unbound}) and publishes its port in xenstore; a backend that read
 * the port looks the end up ({@link #lookupUnbound}) to bind to it ({@code EVTCHNOP_bind_interdomain}); the
 * frontend closes it when the connection ends ({@link #close}, {@code EVTCHNOP_close}).
 * <p>
 * A port nobody holds never binds: {@link #lookupUnbound} finds only ends that are allocated, not closed and not
 * bound yet. Allocated ports count up per domain and are not handed out again while the registry lives, so the
 * port in a stale {@code event-channel} key a dead frontend left can never name a new frontend's end (real Xen
 * reuses the lowest free port, see {@link #lowestFreePorts}; the default is stricter on purpose). Thread-safe;
 * setup-time only.
 */
public final class EventChannelRegistry
{
    /** First port {@link #allocUnbound} hands out (ports below it are left to fixed registrations). */
    public static final int FIRST_ALLOCATED_PORT = 16;

    private final ConcurrentHashMap<Long, EventChannel> ends = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Integer> nextPort = new ConcurrentHashMap<>();
    private final int firstPort;
    private final boolean reuseFreedPorts;

    /** A registry whose allocated ports count up from {@link #FIRST_ALLOCATED_PORT} and are never reused. */
    public EventChannelRegistry()
    {
        this(FIRST_ALLOCATED_PORT, false);
    }

    private EventChannelRegistry(final int firstPort, final boolean reuseFreedPorts)
    {
        this.firstPort = firstPort;
        this.reuseFreedPorts = reuseFreedPorts;
    }

    /**
     * A registry that allocates the lowest free port from {@code firstPort} on, as Xen's {@code get_free_port}
     * does: a closed port is handed out again. For a process whose peer expects fixed port numbers (the shared
     * device file's relay ends at ports 1 and 2).
     *
     * @param firstPort lowest port to allocate.
     * @return the registry.
     */
    public static EventChannelRegistry lowestFreePorts(final int firstPort)
    {
        return new EventChannelRegistry(firstPort, true);
    }

    /**
     * {@code EVTCHNOP_alloc_unbound}: creates and registers an unbound end on a port never used before in this
     * registry.
     *
     * @param domid the owning domain.
     * @return the new end.
     */
    public synchronized EventChannel allocUnbound(final int domid)
    {
        int port = reuseFreedPorts ? firstPort : nextPort.getOrDefault(domid, firstPort);
        while (ends.containsKey(key(domid, port)))
        {
            port++; // skip a port taken by a fixed registration
        }
        nextPort.put(domid, port + 1);
        final EventChannel end = new EventChannel(port);
        ends.put(key(domid, port), end);
        return end;
    }

    /**
     * {@code EVTCHNOP_close}: unbinds the end (the peer's end sees it closed) and frees its port. Idempotent;
     * {@code null} is ignored.
     *
     * @param domid the owning domain.
     * @param end   the end.
     */
    public void close(final int domid, final EventChannel end)
    {
        if (end != null)
        {
            unregister(domid, end);
            end.close();
        }
    }

    /**
     * Registers an end under its port.
     *
     * @param domid the owning domain.
     * @param end   the end (its {@link EventChannel#port()} is the key).
     * @throws IllegalStateException when the port is taken by another end.
     */
    public void register(final int domid, final EventChannel end)
    {
        final EventChannel previous = ends.putIfAbsent(key(domid, end.port()), end);
        if (previous != null && previous != end)
        {
            throw new IllegalStateException("event channel port in use: domid=" + domid + ", port=" + end.port());
        }
    }

    /**
     * Removes an end if it is still the one registered under its port.
     *
     * @param domid the owning domain.
     * @param end   the end.
     * @return whether it was removed.
     */
    public boolean unregister(final int domid, final EventChannel end)
    {
        return end != null && ends.remove(key(domid, end.port()), end);
    }

    /**
     * @param domid the owning domain.
     * @param port  the port read from xenstore.
     * @return the registered end if it exists, is not closed and is not bound yet, else {@code null}.
     */
    public EventChannel lookupUnbound(final int domid, final long port)
    {
        if (port < 0 || port > Integer.MAX_VALUE)
        {
            return null;
        }
        final EventChannel end = ends.get(key(domid, (int)port));
        return end == null || end.isBound() || end.isClosed() ? null : end;
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
