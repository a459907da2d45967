package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.xennet.xenstore.XenStore;

/**
 * Waits until a {@code state} node holds one of the awaited {@link XenbusState}s or a deadline passes
 * (iPXE's {@code xenbus_backend_wait}, default {@link #DEFAULT_TIMEOUT}), woken by a xenstore watch on the node
 * rather than by polling. It always reads at least once; a missing node reads as {@link XenbusState#UNKNOWN};
 * a value that is not a state is remembered (and reported on timeout) but never ends the wait; any other
 * xenstore error ends it at once. Thread-safe: concurrent waits use distinct watch tokens.
 */
public final class XenbusStateWaiter
{
    /** iPXE's {@code XENBUS_BACKEND_TIMEOUT}: 5 s of wall clock. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final AtomicLong TOKENS = new AtomicLong();

    private final XenStore store;
    private final LongSupplier nanoClock;

    /**
     * @param store where the state node lives.
     */
    public XenbusStateWaiter(final XenStore store)
    {
        this(store, System::nanoTime);
    }

    /**
     * @param store     where the state node lives.
     * @param nanoClock monotonic clock for the deadline, in nanoseconds.
     */
    public XenbusStateWaiter(final XenStore store, final LongSupplier nanoClock)
    {
        this.store = store;
        this.nanoClock = nanoClock;
    }

    /**
     * Waits up to {@link #DEFAULT_TIMEOUT}.
     *
     * @param statePath the {@code state} node, such as {@code /local/domain/0/backend/vif/1/0/state}.
     * @param awaited   the state to wait for.
     * @return {@code awaited}.
     * @throws XenbusTimeoutException naming the awaited and the last seen state.
     */
    public XenbusState await(final String statePath, final XenbusState awaited)
    {
        return await(statePath, EnumSet.of(awaited), DEFAULT_TIMEOUT);
    }

    /**
     * @param statePath the {@code state} node.
     * @param awaited   the state to wait for.
     * @param timeout   how long to wait at most.
     * @return {@code awaited}.
     * @throws XenbusTimeoutException naming the awaited and the last seen state.
     */
    public XenbusState await(final String statePath, final XenbusState awaited, final Duration timeout)
    {
        return await(statePath, EnumSet.of(awaited), timeout);
    }

    /**
     * @param statePath the {@code state} node.
     * @param awaited   the states that end the wait.
     * @param timeout   how long to wait at most.
     * @return the awaited state that was read.
     * @throws XenbusTimeoutException naming the awaited and the last seen state.
     * @throws org.xennet.xenstore.XenStoreException on a xenstore error other than a missing node.
     */
    public XenbusState await(final String statePath, final Set<XenbusState> awaited, final Duration timeout)
    {
        if (awaited.isEmpty() || timeout.isNegative())
        {
            throw new IllegalArgumentException("xenbus wait needs states and a timeout: awaited=" + awaited +
                ", timeout=" + timeout);
        }
        final Wakeup wakeup = new Wakeup();
        final String token = "xennet-xenbus-wait-" + TOKENS.incrementAndGet();
        final long deadline = nanoClock.getAsLong() + timeout.toNanos();
        store.watch(statePath, token, (path, eventToken) -> wakeup.signal());
        try
        {
            while (true)
            {
                final long seenEvents = wakeup.events();
                final Optional<String> text = store.readIfExists(XenStore.NO_TRANSACTION, statePath);
                final XenbusState state = parseOrNull(text);
                if (state != null && awaited.contains(state))
                {
                    return state;
                }
                final long remaining = deadline - nanoClock.getAsLong();
                if (remaining <= 0)
                {
                    throw new XenbusTimeoutException(statePath, awaited, state, text.orElse(null), timeout);
                }
                wakeup.awaitAfter(seenEvents, remaining);
            }
        }
        finally
        {
            unwatchQuietly(statePath, token);
        }
    }

    private void unwatchQuietly(final String statePath, final String token)
    {
        try
        {
            store.unwatch(statePath, token);
        }
        catch (final RuntimeException ex)
        {
            // the store may be closing; the watch dies with it
        }
    }

    private static XenbusState parseOrNull(final Optional<String> text)
    {
        if (text.isEmpty())
        {
            return XenbusState.UNKNOWN; // as Linux's xenbus_read_driver_state: no node means Unknown
        }
        try
        {
            return XenbusState.parse(text.get());
        }
        catch (final IllegalArgumentException ex)
        {
            return null; // never trust the peer: a bad value is reported, not acted on
        }
    }

    /** Counts watch events; a waiter sleeps until the count moves past what it saw before reading. */
    private static final class Wakeup
    {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long events;

        void signal()
        {
            lock.lock();
            try
            {
                events++;
                changed.signalAll();
            }
            finally
            {
                lock.unlock();
            }
        }

        long events()
        {
            lock.lock();
            try
            {
                return events;
            }
            finally
            {
                lock.unlock();
            }
        }

        void awaitAfter(final long seen, final long timeoutNanos)
        {
            lock.lock();
            try
            {
                long remaining = timeoutNanos;
                while (events == seen && remaining > 0)
                {
                    remaining = changed.awaitNanos(remaining);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for xenbus state", ex);
            }
            finally
            {
                lock.unlock();
            }
        }
    }
}
