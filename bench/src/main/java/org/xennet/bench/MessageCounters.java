package org.xennet.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread message count, reported by JMH as a throughput ({@code messages} in ops/s): the one unit every
 * ring benchmark and the C anchor share. A round-trip message is one request whose response came back; a
 * one-way message is one element consumed.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class MessageCounters
{
    /** Messages completed by this thread in the current iteration. */
    public long messages;

    /** Clears the count before each iteration. */
    @Setup(Level.Iteration)
    public void clear()
    {
        messages = 0;
    }
}
