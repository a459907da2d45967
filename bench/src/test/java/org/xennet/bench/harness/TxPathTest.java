package org.xennet.bench.harness;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TxPathTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @Test
    void shouldCompleteEveryTransmittedPacketAndReturnEveryIdForEachSizeAndGrantVersion()
    {
        for (final int version : new int[] {1, 2})
        {
            for (final int size : new int[] {64, 1500, 9000})
            {
                try (TxPath path = new TxPath(size, version, 64))
                {
                    final long completed = drive(path, 2_000);
                    final NetFront front = path.device().front();
                    final NetBack back = path.device().back();
                    for (int i = 0; i < 4; i++)
                    {
                        back.pollTx(256); // drain what the last steps transmitted
                        front.pollTx(null, 256);
                    }
                    final String what = "size=" + size + ", version=" + version;
                    assertNull(path.error(), what);
                    assertTrue(completed >= 2_000 * 64L / 4, what + ": completed " + completed);
                    assertTrue(completed <= front.txPackets(), what + ": completed " + completed);
                    assertEquals(front.txPackets(), back.txPackets(), what + ": every packet answered OKAY");
                    assertEquals(front.txPackets() * size, back.txBytes(), what);
                    assertEquals(NetFrontConfig.MAX_IDS, front.txFreeIds(), what + ": every id back, grant ended");
                }
            }
        }
    }

    @Test
    void shouldNotAllocateOnceWarm()
    {
        try (TxPath path = new TxPath(1500, 2, 64))
        {
            drive(path, 20_000);
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            final long completed = drive(path, 20_000);
            final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, "bytes allocated for " + completed + " packets");
        }
    }

    /** Alternates front and back steps on this thread; returns packets completed. */
    static long drive(final Workload path, final int steps)
    {
        long completed = 0;
        for (int i = 0; i < steps; i++)
        {
            completed += path.frontWork();
            path.backWork();
        }
        return completed;
    }
}
