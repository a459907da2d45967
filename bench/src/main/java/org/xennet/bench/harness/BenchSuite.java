package org.xennet.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cases {@code xennet bench} runs and the order it runs them in: the ring-only round trip, the C anchor
 * (when gcc and the Xen headers are present), the Agrona peer, then per packet size the copy limit and the tx
 * and rx paths for each grant version. A fifth of the total time first warms the JIT up on each kind of case
 * (first size, every grant version); the rest is split evenly over the cases, a fifth of each share again
 * warm-up.
 */
public final class BenchSuite
{
    /** The default packet sizes: minimum frame, medium, full Ethernet MTU, jumbo. */
    public static final List<Integer> DEFAULT_SIZES = List.of(64, 512, 1500, 9000);

    /** The default grant versions. */
    public static final List<Integer> DEFAULT_GRANT_VERSIONS = List.of(1, 2);

    /** The default batch (requests per round trip; packets per step). */
    public static final int DEFAULT_BATCH = 64;

    /** Receives progress and notes while the suite runs. */
    public interface Listener
    {
        /**
         * A case is running.
         *
         * @param index             1-based case number.
         * @param count             number of cases.
         * @param label             what runs.
         * @param fraction          0..1 of this case's time.
         * @param messagesPerSecond recent rate.
         */
        void progress(int index, int count, String label, double fraction, double messagesPerSecond);

        /**
         * A remark for the user (a skipped case).
         *
         * @param text the remark.
         */
        void note(String text);
    }

    /**
     * One case to run.
     *
     * @param caseName     a {@link BenchResult} case name.
     * @param packetSize   bytes, or null.
     * @param grantVersion grant version, or null.
     */
    public record Case(String caseName, Integer packetSize, Integer grantVersion)
    {
        /** @return a short human label. */
        public String label()
        {
            return caseName + (packetSize == null ? "" : " " + packetSize + " B") +
                (grantVersion == null ? "" : " v" + grantVersion);
        }
    }

    private final List<Integer> sizes;
    private final List<Integer> grantVersions;
    private final int batch;
    private final long totalNanos;
    private final boolean includeC;
    private final String idle;

    /**
     * Configures a suite.
     *
     * @param sizes         packet sizes.
     * @param grantVersions grant versions (1, 2).
     * @param batch         batch, 1..256.
     * @param totalNanos    time for all cases together.
     * @param includeC      whether to try the C anchor.
     * @param idle          {@link BenchIdle} policy.
     */
    public BenchSuite(final List<Integer> sizes, final List<Integer> grantVersions, final int batch,
        final long totalNanos, final boolean includeC, final String idle)
    {
        if (sizes.isEmpty() || grantVersions.isEmpty())
        {
            throw new IllegalArgumentException("need at least one packet size and one grant version: sizes=" + sizes +
                ", grantVersions=" + grantVersions);
        }
        for (final int size : sizes)
        {
            PathDevices.check(size, 2, batch);
        }
        for (final int version : grantVersions)
        {
            PathDevices.check(64, version, batch);
        }
        BenchIdle.create(idle);
        this.sizes = List.copyOf(sizes);
        this.grantVersions = List.copyOf(grantVersions);
        this.batch = batch;
        this.totalNanos = totalNanos;
        this.includeC = includeC;
        this.idle = idle;
    }

    /** @return the cases, in run order. */
    public List<Case> cases()
    {
        final List<Case> cases = new ArrayList<>();
        cases.add(new Case(BenchResult.RING_ONLY, null, null));
        if (includeC)
        {
            cases.add(new Case(BenchResult.C_RING_H, null, null));
        }
        cases.add(new Case(BenchResult.AGRONA_ONE_TO_ONE, null, null));
        for (final int size : sizes)
        {
            cases.add(new Case(BenchResult.COPY_LIMIT, size, null));
            for (final int version : grantVersions)
            {
                cases.add(new Case(BenchResult.TX_PATH, size, version));
            }
            for (final int version : grantVersions)
            {
                cases.add(new Case(BenchResult.RX_PATH, size, version));
            }
        }
        return cases;
    }

    /**
     * Runs every case.
     *
     * @param listener progress receiver.
     * @return one result per case that ran (a skipped C anchor has none).
     */
    public List<BenchResult> run(final Listener listener)
    {
        final List<Case> cases = cases();
        final List<Case> warmupCases = warmupCases();
        final long warmupShare = totalNanos / 5 / warmupCases.size();
        for (int i = 0; i < warmupCases.size(); i++)
        {
            final Case c = warmupCases.get(i);
            final int index = i + 1;
            final BenchRunner.Progress progress = (fraction, rate) ->
                listener.progress(index, warmupCases.size(), "warm-up " + c.label(), fraction, rate);
            try (Workload workload = newWorkload(c))
            {
                BenchRunner.run(workload, warmupShare, 0, idle, progress);
            }
        }
        final long share = (totalNanos - totalNanos / 5) / cases.size();
        final long warmup = share / 5;
        final long measure = share - warmup;
        final List<BenchResult> results = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++)
        {
            final Case c = cases.get(i);
            final int index = i + 1;
            final BenchRunner.Progress progress =
                (fraction, rate) -> listener.progress(index, cases.size(), c.label(), fraction, rate);
            if (BenchResult.C_RING_H.equals(c.caseName()))
            {
                runC(warmup, measure, listener, progress, results::add);
                continue;
            }
            try (Workload workload = newWorkload(c))
            {
                final BenchRunner.Measurement m = BenchRunner.run(workload, warmup, measure, idle, progress);
                results.add(new BenchResult(c.caseName(), BenchResult.COPY_LIMIT.equals(c.caseName()) ? 1 : batch,
                    c.packetSize(), c.grantVersion(), m.perSecond(), m.bytesPerOp(), m.frontBusy(),
                    Double.isNaN(m.backBusy()) ? null : m.backBusy(), m.schedule()));
            }
        }
        return results;
    }

    /** @return one case of each Java kind (first size, every grant version), to compile the code before measuring. */
    public List<Case> warmupCases()
    {
        final List<Case> cases = new ArrayList<>();
        cases.add(new Case(BenchResult.RING_ONLY, null, null));
        cases.add(new Case(BenchResult.AGRONA_ONE_TO_ONE, null, null));
        final int size = sizes.get(0);
        cases.add(new Case(BenchResult.COPY_LIMIT, size, null));
        for (final int version : grantVersions)
        {
            cases.add(new Case(BenchResult.TX_PATH, size, version));
            cases.add(new Case(BenchResult.RX_PATH, size, version));
        }
        return cases;
    }

    private Workload newWorkload(final Case c)
    {
        switch (c.caseName())
        {
            case BenchResult.RING_ONLY:
                return new RingRoundTrip(batch);
            case BenchResult.AGRONA_ONE_TO_ONE:
                return new AgronaRoundTrip(batch);
            case BenchResult.COPY_LIMIT:
                return new CopyLimit(c.packetSize());
            case BenchResult.TX_PATH:
                return new TxPath(c.packetSize(), c.grantVersion(), batch);
            case BenchResult.RX_PATH:
                return new RxPath(c.packetSize(), c.grantVersion(), batch);
            default:
                throw new IllegalArgumentException("unknown case: case=" + c.caseName());
        }
    }

    private void runC(final long warmup, final long measure, final Listener listener,
        final BenchRunner.Progress progress, final Consumer<BenchResult> results)
    {
        final CRingAnchor anchor;
        try
        {
            anchor = CRingAnchor.compile();
        }
        catch (final IllegalStateException ex)
        {
            listener.note("c-ring.h skipped: " + ex.getMessage());
            return;
        }
        progress.update(0, 0);
        final List<CRingAnchor.Summary> summaries;
        try
        {
            summaries = anchor.run(List.of(batch),
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(measure)), TimeUnit.NANOSECONDS.toMillis(warmup), 1, idle);
        }
        catch (final IllegalStateException ex)
        {
            listener.note("c-ring.h failed, left out: " + ex.getMessage());
            return;
        }
        progress.update(1, summaries.get(0).median());
        results.accept(new BenchResult(BenchResult.C_RING_H, batch, null, null, summaries.get(0).median(), null));
    }
}
