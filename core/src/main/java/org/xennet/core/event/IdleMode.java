package org.xennet.core.event;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

/**
 * Selectable ways to wait for an {@link EventChannel}, each backed by an Agrona {@link IdleStrategy}.
 */
public enum IdleMode
{
    /** Spin on the pending bit (lowest latency, burns a core). */
    BUSY_SPIN,
    /** Spin, then yield, then park with exponential backoff up to 1 ms (Agrona's default shape). */
    BACKOFF,
    /** Park for 50 µs between checks (lowest CPU). */
    PARK;

    /**
     * Creates a new idle strategy for this mode (one per waiting thread: strategies keep state).
     *
     * @return a fresh idle strategy.
     */
    public IdleStrategy newIdleStrategy()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case PARK:
            default:
                return new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
