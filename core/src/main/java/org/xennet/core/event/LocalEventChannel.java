package org.xennet.core.event;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.IdleStrategy;

/**
 * The in-process {@link EventChannel}: one end of an interdomain event channel between two threads of this JVM;
 * {@link #notifyPeer()} sets the peer end's pending bit, {@link #consume()} clears this end's pending bit (as a
 * guest clears {@code evtchn_pending}).
 * <p>
 * Like a Xen event, a notification is a single bit: several notifications before a consume collapse into one.
 * Ends are created unbound ({@link #LocalEventChannel(int)}) and bound in pairs ({@link #bind(LocalEventChannel)}),
 * the way {@code EVTCHNOP_alloc_unbound} and {@code EVTCHNOP_bind_interdomain} pair two ports.
 * <p>
 * Threading: any thread may call {@link #notifyPeer()}; {@link #pending()}, {@link #consume()} and the
 * {@code await} methods are meant for the one thread that services this end, but are safe from any thread.
 */
public final class LocalEventChannel implements EventChannel
{
    private final int port;
    private final AtomicInteger pendingBit = new AtomicInteger();
    private final AtomicLong notificationsSent = new AtomicLong();
    private final AtomicLong notificationsReceived = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private volatile LocalEventChannel peer;
    private volatile boolean closed;
    private volatile Runnable onClose;

    /**
     * Creates an unbound end.
     *
     * @param port the local port number (informational: shown in logs and xenstore keys).
     */
    public LocalEventChannel(final int port)
    {
        if (port < 0)
        {
            throw new IllegalArgumentException("port must not be negative: port=" + port);
        }
        this.port = port;
    }

    /**
     * Creates a bound pair of ends.
     *
     * @param frontPort port of the first end.
     * @param backPort  port of the second end.
     * @return the two ends, index 0 = front, 1 = back.
     */
    public static LocalEventChannel[] pair(final int frontPort, final int backPort)
    {
        final LocalEventChannel front = new LocalEventChannel(frontPort);
        final LocalEventChannel back = new LocalEventChannel(backPort);
        front.bind(back);
        return new LocalEventChannel[]{ front, back };
    }

    /**
     * {@code EVTCHNOP_bind_interdomain}: a new end bound to {@code remote}.
     *
     * @param remote the peer's unbound end.
     * @param port   the new end's local port.
     * @return the new, bound end.
     */
    public static LocalEventChannel bindTo(final LocalEventChannel remote, final int port)
    {
        final LocalEventChannel local = new LocalEventChannel(port);
        local.bind(remote);
        return local;
    }

    /** Runs once when this end is closed (the allocator frees the port). */
    void onClose(final Runnable action)
    {
        onClose = action;
    }

    /**
     * Binds this end and {@code remote} to each other.
     *
     * @param remote the peer end (must be unbound, not this end).
     */
    public void bind(final LocalEventChannel remote)
    {
        if (remote == this || null != peer || null != remote.peer)
        {
            throw new IllegalStateException(
                "event channel already bound: port=" + port + ", remotePort=" + remote.port);
        }
        closed = false;
        remote.closed = false;
        peer = remote;
        remote.peer = this;
    }

    /**
     * Unbinds both ends ({@code EVTCHNOP_close}); later notifications go nowhere, waiters return.
     */
    @Override
    public void close()
    {
        final LocalEventChannel remote = peer;
        closed = true;
        peer = null;
        if (null != remote)
        {
            remote.closed = true;
            remote.peer = null;
        }
        final Runnable action = onClose;
        onClose = null;
        if (null != action)
        {
            action.run();
        }
    }

    /**
     * Whether this end was closed (its own close or the peer's).
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * The local port number.
     *
     * @return the port.
     */
    @Override
    public int port()
    {
        return port;
    }

    /**
     * Whether this end is bound to a peer.
     *
     * @return true when bound.
     */
    public boolean isBound()
    {
        return null != peer;
    }

    /**
     * Sends an event to the peer end ({@code EVTCHNOP_send}); a no-op on an unbound end.
     *
     * @return true if the peer was bound and has been marked pending.
     */
    @Override
    public boolean notifyPeer()
    {
        final LocalEventChannel remote = peer;
        if (null == remote)
        {
            return false;
        }
        notificationsSent.incrementAndGet();
        remote.notificationsReceived.incrementAndGet();
        remote.pendingBit.set(1); // volatile store: the peer's consume() sees the ring writes made before this call
        return true;
    }

    /**
     * Whether an event is pending on this end.
     *
     * @return the pending bit.
     */
    @Override
    public boolean pending()
    {
        return pendingBit.get() != 0;
    }

    /**
     * Clears the pending bit.
     *
     * @return whether an event was pending.
     */
    @Override
    public boolean consume()
    {
        if (pendingBit.get() == 0) // cheap read first: spinning consumers do not bounce the cache line
        {
            return false;
        }
        final boolean was = pendingBit.getAndSet(0) != 0;
        if (was)
        {
            consumed.incrementAndGet();
        }
        return was;
    }

    /**
     * Waits until an event is pending, then consumes it.
     *
     * @param idleStrategy how to wait (busy-spin, backoff, park: see {@link IdleMode}).
     * @return true if an event was consumed, false if the channel was closed while waiting.
     */
    public boolean await(final IdleStrategy idleStrategy)
    {
        idleStrategy.reset();
        while (!consume())
        {
            if (closed)
            {
                return false;
            }
            idleStrategy.idle();
        }
        return true;
    }

    /**
     * Waits until an event is pending or a timeout passes, then consumes it.
     *
     * @param idleStrategy how to wait.
     * @param timeout      longest wait.
     * @param unit         unit of {@code timeout}.
     * @return true if an event was consumed, false on timeout or close.
     */
    public boolean await(final IdleStrategy idleStrategy, final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        idleStrategy.reset();
        while (!consume())
        {
            if (closed || System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            idleStrategy.idle();
        }
        return true;
    }

    /**
     * Notifications this end has sent.
     *
     * @return the count.
     */
    public long notificationsSent()
    {
        return notificationsSent.get();
    }

    /**
     * Notifications the peer has sent to this end (including those that collapsed into one pending bit).
     *
     * @return the count.
     */
    public long notificationsReceived()
    {
        return notificationsReceived.get();
    }

    /**
     * Times {@link #consume()} found and cleared the pending bit.
     *
     * @return the count.
     */
    public long eventsConsumed()
    {
        return consumed.get();
    }

    @Override
    public String toString()
    {
        return "LocalEventChannel{port=" + port + ", bound=" + isBound() + ", pending=" + pending() +
            ", sent=" + notificationsSent() + ", received=" + notificationsReceived() + '}';
    }
}
