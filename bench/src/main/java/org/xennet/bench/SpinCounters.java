package org.xennet.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread wait events, reported by JMH beside the score: how often a side found the ring full or found
 * nothing to poll. Both should stay rare relative to messages when the sides keep up with each other.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class SpinCounters
{
    /** Attempts to produce that found no free slot. */
    public long ringFull;

    /** Polls (after the final check, where the protocol has one) that found nothing to consume. */
    public long pollEmpty;

    /** Clears the counters before each iteration so each iteration reports its own events. */
    @Setup(Level.Iteration)
    public void clear()
    {
        ringFull = 0;
        pollEmpty = 0;
    }
}
