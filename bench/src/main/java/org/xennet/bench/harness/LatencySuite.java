package org.xennet.bench.harness;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The cases of {@code xennet bench --latency}: for each wait policy, the raw cache-line ping-pong, the xennet ring,
 * then the tx and rx paths for each packet size and grant version; each case gets an equal share of the time
 * (a fifth of it warm-up).
 */
public final class LatencySuite
{
    /** Default packet sizes of the latency paths. */
    public static final List<Integer> DEFAULT_SIZES = List.of(64, 1500);

    /** Default wait policies: busy-poll, then backoff. */
    public static final List<String> DEFAULT_IDLES = List.of(BenchIdle.BUSY, BenchIdle.BACKOFF);

    /** Receives progress (on the calling thread). */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * @param index 1-based case number.
         * @param count number of cases.
         * @param label the case.
         */
        void starting(int index, int count, String label);
    }

    private record Case(String name, int packetSize, int grantVersion, String idle)
    {
    }

    private final List<Case> cases = new ArrayList<>();
    private final long totalNanos;

    /**
     * @param sizes         packet sizes of the paths.
     * @param grantVersions grant versions of the paths.
     * @param idles         wait policies.
     * @param totalNanos    total time.
     */
    public LatencySuite(
        final List<Integer> sizes, final List<Integer> grantVersions, final List<String> idles, final long totalNanos)
    {
        for (final String idle : idles)
        {
            BenchIdle.create(idle);
            cases.add(new Case(LatencyProbes.RAW, 0, 0, idle));
            cases.add(new Case(LatencyProbes.RING, 0, 0, idle));
            for (final int size : sizes)
            {
                for (final int version : grantVersions)
                {
                    PathDevices.check(size, version, 1);
                    cases.add(new Case(LatencyProbes.TX_PATH, size, version, idle));
                    cases.add(new Case(LatencyProbes.RX_PATH, size, version, idle));
                }
            }
        }
        this.totalNanos = totalNanos;
    }

    /** @return the number of cases. */
    public int size()
    {
        return cases.size();
    }

    /**
     * Runs every case.
     *
     * @param listener progress, or null.
     * @return one result per case.
     */
    public List<LatencyResult> run(final Listener listener)
    {
        final long share = totalNanos / cases.size();
        final List<LatencyResult> results = new ArrayList<>();
        int index = 0;
        for (final Case c : cases)
        {
            index++;
            if (listener != null)
            {
                listener.starting(index, cases.size(), new LatencyResult(c.name(), c.packetSize(), c.grantVersion(),
                    c.idle(), null).label());
            }
            try (LatencyProbe probe = LatencyProbes.create(c.name(), c.packetSize(), c.grantVersion()))
            {
                final Histogram histogram = LatencyRunner.run(probe, share / 5, share - share / 5, c.idle());
                results.add(new LatencyResult(c.name(), c.packetSize(), c.grantVersion(), c.idle(), histogram));
            }
        }
        return results;
    }
}
