package org.xennet.bench.harness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchRunnerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int MAX_WARM_ROUNDS = 30;

    @Test
    void shouldMeasureTwoThreadRoundTripsWithoutAllocatingAndReportProgress()
    {
        final AtomicInteger updates = new AtomicInteger();
        try (RingRoundTrip ring = new RingRoundTrip(64))
        {
            // On a loaded machine the JIT may still be compiling during the first windows (interpreted code
            // allocates what compiled code does not): measure again until a window is clean, a bounded number of
            // times; a harness that really allocates never gets a clean window and fails below.
            BenchRunner.Measurement m = null;
            for (int attempt = 0; attempt < 10 && (null == m || m.bytesPerOp() >= 0.01); attempt++)
            {
                updates.set(0);
                m = BenchRunner.run(ring, 100 * MS, 300 * MS, BenchIdle.BACKOFF,
                    (fraction, rate) -> updates.incrementAndGet());
            }

            assertTrue(m.messages() > 64 * 10, "messages " + m);
            assertTrue(m.nanos() >= 300 * MS, "window " + m);
            assertTrue(m.frontBusy() >= 0 && m.frontBusy() <= 1 && m.backBusy() >= 0 && m.backBusy() <= 1,
                "busy fractions " + m);
            assertTrue(updates.get() >= 3, "progress updates " + updates);

            // A loaded machine may leave one-time JIT or first-park allocations inside a short window, so measure
            // again until a window is warm: per-message allocation (>= 16 B x messages) would show in every
            // window and fail; a warm window must allocate exactly nothing.
            final StringBuilder windows = new StringBuilder().append(m.allocatedBytes());
            long allocated = m.allocatedBytes();
            for (int round = 0; round < MAX_WARM_ROUNDS && allocated != 0; round++)
            {
                final BenchRunner.Measurement again = BenchRunner.run(ring, 0, 300 * MS, BenchIdle.BACKOFF,
                    (fraction, rate) -> { });
                assertTrue(again.messages() > 0, "messages " + again);
                allocated = again.allocatedBytes();
                windows.append(' ').append(allocated);
            }
            assertEquals(0, allocated, "bytes allocated per window, first to last: " + windows);
        }
    }

    @Test
    void shouldFailWhenTheWorkloadReportsAnError()
    {
        final Workload broken = new Workload()
        {
            @Override
            public int frontWork()
            {
                return 1;
            }

            @Override
            public int backWork()
            {
                return 0;
            }

            @Override
            public boolean twoThreads()
            {
                return false;
            }

            @Override
            public String error()
            {
                return "bad responses: errors=3";
            }

            @Override
            public void close()
            {
            }
        };

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> BenchRunner.run(broken, MS, 10 * MS, BenchIdle.BACKOFF, null));

        assertEquals("bad responses: errors=3", ex.getMessage());
    }
}
