package org.xennet.core.event;

/**
 * The hypervisor's event channel operations a split driver uses to set up a connection: the frontend allocates an
 * unbound port for the backend ({@code EVTCHNOP_alloc_unbound}) and publishes its number in xenstore; the backend
 * binds to the port it read ({@code EVTCHNOP_bind_interdomain}). A port is allocated per connection and freed by
 * {@link EventChannel#close()}; a port that nobody currently holds unbound for the binding domain never binds, so
 * stale keys of a dead frontend cannot connect anyone.
 * <p>
 * Implementations: {@link EventChannelRegistry} (in process) and the shared device file's event table. Setup-time
 * only (may allocate, may lock).
 */
public interface EventChannels
{
    /**
     * {@code EVTCHNOP_alloc_unbound}: a new port of {@code domid} that only {@code remoteDomid} may bind.
     *
     * @param domid       the allocating (frontend) domain.
     * @param remoteDomid the domain allowed to bind it.
     * @return the unbound end, or {@code null} when no port is free.
     */
    EventChannel allocUnbound(int domid, int remoteDomid);

    /**
     * {@code EVTCHNOP_bind_interdomain}: binds to a port that {@code remoteDomid} holds unbound for {@code domid}.
     *
     * @param domid       the binding (backend) domain.
     * @param remoteDomid the domain that allocated the port.
     * @param remotePort  the port read from xenstore (untrusted: any value).
     * @return this domain's bound end, or {@code null} when the port is not held unbound for us.
     */
    EventChannel bindInterdomain(int domid, int remoteDomid, long remotePort);
}
