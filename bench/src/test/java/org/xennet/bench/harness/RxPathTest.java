package org.xennet.bench.harness;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RxPathTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @Test
    void shouldReceiveEveryDeliveredPacketForEachSizeAndGrantVersion()
    {
        for (final int version : new int[] {1, 2})
        {
            for (final int size : new int[] {64, 1500, 9000})
            {
                try (RxPath path = new RxPath(size, version, 64))
                {
                    final long received = TxPathTest.drive(path, 2_000);
                    final NetFront front = path.device().front();
                    final NetBack back = path.device().back();
                    final String what = "size=" + size + ", version=" + version;
                    assertNull(path.error(), what);
                    assertTrue(received >= 2_000, what + ": received " + received);
                    front.pollRx(null, 256); // the last step's deliveries
                    assertEquals(back.rxPackets(), front.rxPackets(), what + ": every delivered packet received");
                    assertTrue(received <= front.rxPackets(), what + ": received " + received);
                    assertEquals(front.rxPackets() * size, front.rxBytes(), what);
                }
            }
        }
    }

    @Test
    void shouldNotAllocateOnceWarm()
    {
        try (RxPath path = new RxPath(1500, 1, 64))
        {
            TxPathTest.drive(path, 20_000);
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            final long received = TxPathTest.drive(path, 20_000);
            final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, "bytes allocated for " + received + " packets");
        }
    }
}
