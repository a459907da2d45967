package org.xennet.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread count of notifications a ring's push-and-check-notify asked for (an event channel kick the
 * benchmark does not send): shows how well batching and the {@code *_event} protocol suppress kicks.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class NotifyCounters
{
    /** Pushes that asked for a notification in the current iteration. */
    public long notifies;

    /** Clears the count before each iteration. */
    @Setup(Level.Iteration)
    public void clear()
    {
        notifies = 0;
    }
}
