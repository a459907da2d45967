package org.xennet.core.event;

/**
 * One end of a bound interdomain event channel, as a driver sees it: send an event to the peer, see and clear the
 * events the peer sent. Like a Xen event it is one pending bit (notifications before a consume collapse into one)
 * and only a wake-up hint: the rings are the truth, so a consumer re-checks them after {@link #consume()}.
 * <p>
 * Implementations: {@link LocalEventChannel} (two threads of one JVM) and the shared device file's event table
 * ({@code org.xennet.core.shm.ShmEventChannel}, two processes). Ends are made by an {@link EventChannels}
 * ({@code alloc_unbound} on the frontend, {@code bind_interdomain} on the backend) and injected into
 * {@code NetFront.open} and {@code NetBack.connect}.
 * <p>
 * Hot path: {@link #notifyPeer()}, {@link #pending()} and {@link #consume()} allocate nothing and take no lock.
 */
public interface EventChannel extends AutoCloseable
{
    /**
     * This end's port number (what a frontend publishes in {@code event-channel-tx}/{@code -rx}).
     *
     * @return the port.
     */
    int port();

    /**
     * {@code EVTCHNOP_send}: marks the peer end pending; a release, so the peer sees the ring writes made before.
     *
     * @return false when the channel is no longer bound (the event went nowhere).
     */
    boolean notifyPeer();

    /**
     * Whether an event is pending on this end (acquire).
     *
     * @return the pending bit.
     */
    boolean pending();

    /**
     * Clears this end's pending bit.
     *
     * @return whether an event was pending.
     */
    boolean consume();

    /**
     * {@code EVTCHNOP_close}: unbinds and frees the port; later notifications go nowhere. Idempotent.
     */
    @Override
    void close();
}
