package org.xennet.bench.harness;

/**
 * One measured case of {@code xennet bench}, as printed in the table and written to JSON.
 *
 * @param caseName         {@code ring-only}, {@code c-ring.h}, {@code agrona-one-to-one}, {@code tx-path},
 *                         {@code rx-path} or {@code copy-limit}.
 * @param batch            messages per step (requests per round trip for the ring cases).
 * @param packetSize       bytes per packet, or null for the ring cases (which carry no payload).
 * @param grantVersion     grant table version for the packet paths, or null.
 * @param packetsPerSecond packets (ring cases: round trips) per second.
 * @param bytesPerOp       bytes allocated per packet by the case's threads in the measured window, or null when
 *                         not measured (the C anchor).
 * @param frontBusy        fraction of the measured window the front thread had work (not idling), or null.
 * @param backBusy         the same for the back thread of a two-thread case, or null.
 * @param schedule         {@code pipelined}, {@code lock-step} or {@code mixed} (see
 *                         {@link BenchRunner.Measurement#schedule()}), or null.
 */
public record BenchResult(
    String caseName, int batch, Integer packetSize, Integer grantVersion, double packetsPerSecond, Double bytesPerOp,
    Double frontBusy, Double backBusy, String schedule)
{
    /**
     * A result without busy fractions (single-thread cases, the C anchor).
     *
     * @param caseName         case name.
     * @param batch            batch.
     * @param packetSize       bytes per packet, or null.
     * @param grantVersion     grant version, or null.
     * @param packetsPerSecond rate.
     * @param bytesPerOp       allocation per packet, or null.
     */
    public BenchResult(
        final String caseName, final int batch, final Integer packetSize, final Integer grantVersion,
        final double packetsPerSecond, final Double bytesPerOp)
    {
        this(caseName, batch, packetSize, grantVersion, packetsPerSecond, bytesPerOp, null, null, null);
    }

    /** Case name of the xennet ring alone. */
    public static final String RING_ONLY = "ring-only";
    /** Case name of the C anchor built from Xen's ring.h. */
    public static final String C_RING_H = "c-ring.h";
    /** Case name of the Agrona one-to-one ring buffer peer. */
    public static final String AGRONA_ONE_TO_ONE = "agrona-one-to-one";
    /** Case name of the full transmit path. */
    public static final String TX_PATH = "tx-path";
    /** Case name of the full receive path. */
    public static final String RX_PATH = "rx-path";
    /** Case name of the single-thread copy ceiling. */
    public static final String COPY_LIMIT = "copy-limit";

    /** @return payload throughput in Gbit/s ({@code packetsPerSecond * packetSize * 8 / 1e9}), or null. */
    public Double gbitPerSecond()
    {
        return packetSize == null ? null : packetsPerSecond * packetSize * 8 / 1e9;
    }
}
