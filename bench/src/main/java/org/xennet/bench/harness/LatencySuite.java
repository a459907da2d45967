package org.xennet.bench.harness;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The cases of {@code xennet bench --latency}: for each wait policy, the raw cache-line ping-pong, the xennet ring,
 * then the tx and rx paths for each packet size and grant version; each case gets an equal share of the time
 * (a fifth of it warm-up). The C anchors, when asked for and gcc and libxen-dev are present, come first.
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

        /**
         * A note (e.g. why the C anchors were skipped).
         *
         * @param text the note.
         */
        default void note(final String text)
        {
        }
    }

    private record Case(String name, int packetSize, int grantVersion, String idle)
    {
    }

    private final List<Case> cases = new ArrayList<>();
    private final long totalNanos;
    private final boolean withC;

    /**
     * @param sizes         packet sizes of the paths.
     * @param grantVersions grant versions of the paths.
     * @param idles         wait policies.
     * @param totalNanos    total time.
     * @param withC         also run the C anchors ({@link CLatency}: raw ping-pong and ring.h).
     */
    public LatencySuite(
        final List<Integer> sizes, final List<Integer> grantVersions, final List<String> idles, final long totalNanos,
        final boolean withC)
    {
        this.withC = withC;
        for (final String idle : idles)
        {
            if (!BenchIdle.BUSY.equals(idle) && !BenchIdle.BACKOFF.equals(idle))
            {
                throw new IllegalArgumentException("latency wait policy must be busy-spin or backoff: idle=" + idle);
            }
            if (withC)
            {
                cases.add(new Case(CLatency.C_RAW, 0, 0, idle));
                cases.add(new Case(CLatency.C_RING, 0, 0, idle));
            }
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
        CLatency c0 = null;
        String cFailure = null;
        int index = 0;
        for (final Case c : cases)
        {
            index++;
            if (listener != null)
            {
                listener.starting(index, cases.size(), new LatencyResult(c.name(), c.packetSize(), c.grantVersion(),
                    c.idle(), null).label());
            }
            if (c.name().startsWith("c-"))
            {
                if (c0 == null && cFailure == null)
                {
                    try
                    {
                        c0 = CLatency.compile();
                    }
                    catch (final RuntimeException ex)
                    {
                        cFailure = ex.getMessage();
                        if (listener != null)
                        {
                            listener.note("C latency anchors skipped: " + cFailure);
                        }
                    }
                }
                if (c0 != null)
                {
                    final long ms = Math.max(1, share / 1_000_000);
                    results.add(new LatencyResult(c.name(), 0, 0, c.idle(), c0.run(c.name(), c.idle(), ms / 5,
                        ms - ms / 5)));
                }
                continue;
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
