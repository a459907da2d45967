package org.xennet.bench.harness;

/**
 * One request in flight: the measuring thread {@link #send()}s a request and {@link #poll()}s until its response
 * is back; a peer thread answers with {@link #peerWork()}. {@link LatencyRunner} times each round trip into an
 * HdrHistogram; the JMH {@code LatencyBenchmark} runs the very same probes in {@code SampleTime} mode.
 * Every method is allocation-free once warm.
 */
public interface LatencyProbe extends AutoCloseable
{
    /** @return the case name (e.g. {@code ring}, {@code tx-path}). */
    String name();

    /** @return bytes per packet, or 0 for the cases without payload. */
    int packetSize();

    /** Measuring thread: sends one request. */
    void send();

    /**
     * Measuring thread: looks once for the response.
     *
     * @return true when the round trip completed.
     */
    boolean poll();

    /**
     * Peer thread: one step.
     *
     * @return work done (0: nothing to answer).
     */
    int peerWork();

    /** @return a description of anything that went wrong, or null. */
    String error();

    /** Releases what the probe holds; idempotent. */
    @Override
    void close();
}
