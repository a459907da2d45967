package org.xennet.bench.harness;

import org.HdrHistogram.Histogram;

/**
 * One latency case: round trips (nanoseconds) with one request in flight.
 *
 * @param caseName     {@link LatencyProbes} name.
 * @param packetSize   bytes per packet (0 for the cases without payload).
 * @param grantVersion grant version of the paths, or 0.
 * @param idle         wait policy of both sides ({@code busy} or {@code backoff}).
 * @param histogram    the round trips.
 */
public record LatencyResult(String caseName, int packetSize, int grantVersion, String idle, Histogram histogram)
{
    /** @return a label naming the case, e.g. {@code tx-path 64 B v1 busy}. */
    public String label()
    {
        return caseName + (packetSize > 0 ? " " + packetSize + " B" : "") +
            (grantVersion > 0 ? " v" + grantVersion : "") +
            " " + idle;
    }

    /** @return the median round trip in nanoseconds. */
    public long p50()
    {
        return histogram.getValueAtPercentile(50);
    }
}
