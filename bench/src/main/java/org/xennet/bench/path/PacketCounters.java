package org.xennet.bench.path;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread packet and byte counts of a packet-path benchmark, reported by JMH as throughputs: {@code packets}
 * (packets completed per second, the score) and {@code bytes} (payload bytes per second; Gbit/s is
 * {@code bytes * 8 / 1e9}).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class PacketCounters
{
    /** Packets completed by this thread in the current iteration. */
    public long packets;

    /** Payload bytes of those packets. */
    public long bytes;

    /** Clears the counts before each iteration. */
    @Setup(Level.Iteration)
    public void clear()
    {
        packets = 0;
        bytes = 0;
    }
}
