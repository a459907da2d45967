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

    @Test
    void shouldMeasureTwoThreadRoundTripsWithoutAllocatingAndReportProgress()
    {
        final AtomicInteger updates = new AtomicInteger();
        try (RingRoundTrip ring = new RingRoundTrip(64))
        {
            final BenchRunner.Measurement m = BenchRunner.run(ring, 100 * MS, 300 * MS, BenchIdle.BACKOFF,
                (fraction, rate) -> updates.incrementAndGet());

            assertTrue(m.messages() > 64 * 10, "messages " + m);
            assertTrue(m.nanos() >= 300 * MS, "window " + m);
            // per-message allocation would show as >= 16 B x messages; a loaded machine may leave one-time JIT or
            // first-park allocations (a few hundred bytes) inside a short window, so those are tolerated
            assertTrue(m.allocatedBytes() <= 1024 + 0.01 * m.messages(), "bytes per round trip " + m);
            assertTrue(m.frontBusy() >= 0 && m.frontBusy() <= 1 && m.backBusy() >= 0 && m.backBusy() <= 1,
                "busy fractions " + m);
            assertTrue(updates.get() >= 3, "progress updates " + updates);
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
