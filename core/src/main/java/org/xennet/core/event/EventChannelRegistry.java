package org.xennet.core.event;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The hypervisor's view of unbound event channel ends, per domain and port: a frontend registers the end it
 * allocated ({@code EVTCHNOP_alloc_unbound}) and publishes the port in xenstore; a backend that read the port
 * looks the end up to bind to it ({@code EVTCHNOP_bind_interdomain}). Thread-safe; setup-time only.
 */
public final class EventChannelRegistry
{
    private final ConcurrentHashMap<Long, EventChannel> ends = new ConcurrentHashMap<>();

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
     * @return the registered end if it exists and is not bound yet, else {@code null}.
     */
    public EventChannel lookupUnbound(final int domid, final long port)
    {
        if (port < 0 || port > Integer.MAX_VALUE)
        {
            return null;
        }
        final EventChannel end = ends.get(key(domid, (int)port));
        return end == null || end.isBound() ? null : end;
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
