package org.xennet.bench.harness;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

/**
 * Times round trips of a {@link LatencyProbe}, one request in flight: the peer answers on its own thread, the
 * calling thread sends, waits with the idle strategy (busy-poll or backoff) and records each round trip in an
 * HdrHistogram (nanoseconds, 3 significant digits). Warm-up round trips are not recorded.
 */
public final class LatencyRunner
{
    /** Highest recordable round trip: 10 s. */
    public static final long HIGHEST_NANOS = 10_000_000_000L;

    private LatencyRunner()
    {
    }

    /**
     * Runs a probe.
     *
     * @param probe        the probe (the caller closes it).
     * @param warmupNanos  warm-up time.
     * @param measureNanos measured time.
     * @param idle         {@link BenchIdle} policy of both sides.
     * @return the round trips of the measured window.
     * @throws IllegalStateException when the peer failed or the probe reports an error.
     */
    public static Histogram run(
        final LatencyProbe probe, final long warmupNanos, final long measureNanos, final String idle)
    {
        final IdleStrategy wait = BenchIdle.create(idle);
        final Peer peer = new Peer(probe, BenchIdle.create(idle));
        final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        peer.start();
        try
        {
            final long start = System.nanoTime();
            loop(probe, wait, null, start + warmupNanos, peer);
            loop(probe, wait, histogram, System.nanoTime() + measureNanos, peer);
        }
        finally
        {
            peer.running = false;
            try
            {
                peer.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (peer.failure != null)
        {
            throw new IllegalStateException(peer.failure);
        }
        final String error = probe.error();
        if (error != null)
        {
            throw new IllegalStateException(error);
        }
        return histogram;
    }

    private static void loop(
        final LatencyProbe probe, final IdleStrategy wait, final Histogram histogram, final long deadline,
        final Peer peer)
    {
        long t0 = System.nanoTime();
        while (t0 - deadline < 0 && peer.isAlive())
        {
            probe.send();
            while (!probe.poll())
            {
                wait.idle();
            }
            wait.reset();
            final long t1 = System.nanoTime();
            if (histogram != null)
            {
                histogram.recordValue(Math.min(t1 - t0, HIGHEST_NANOS));
            }
            t0 = t1;
        }
    }

    private static final class Peer extends Thread
    {
        private final LatencyProbe probe;
        private final IdleStrategy idle;
        private volatile boolean running = true;
        private volatile String failure;

        Peer(final LatencyProbe probe, final IdleStrategy idle)
        {
            super("xennet-latency-peer");
            setDaemon(true);
            this.probe = probe;
            this.idle = idle;
        }

        @Override
        public void run()
        {
            try
            {
                while (running)
                {
                    if (probe.peerWork() > 0)
                    {
                        idle.reset();
                    }
                    else
                    {
                        idle.idle();
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                failure = getName() + " failed: " + ex;
            }
        }
    }
}
