package org.xennet.bench.path;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.bench.harness.TxPath;
import org.xennet.bench.harness.Workload;

/**
 * The full transmit path: {@code NetFront.transmit} (grant every page, write the requests, push) →
 * {@code NetBack.pollTx} (grant copy, sink, response) → {@code NetFront.pollTx} (end every grant, free the ids),
 * netfront and netback each on its own thread (JMH {@code @Group}). The front transmits up to {@code batch}
 * packets from a pool of 256 guest pages per step (fewer when the ring is full), then polls completions; the
 * steps are those of {@code xennet bench} ({@link TxPath}).
 *
 * <p>Score: the {@code packets} counter (packets completed per second); {@code bytes} is payload bytes per second
 * (Gbit/s = bytes × 8 / 1e9). JMH's group total adds both methods' invocations and means nothing; with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is per invocation of either side (0 means 0 per packet too).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Group)
public class TxPathBenchmark extends PathBenchmark
{
    @Override
    protected Workload createPath(final int size, final int grantVersion, final int batch)
    {
        return new TxPath(size, grantVersion, batch);
    }

    /**
     * Netfront side: one step of the front (see the class comment), idling when nothing completed.
     *
     * @param counters packets and bytes completed.
     */
    @Benchmark
    @Group("txPath")
    @GroupThreads(1)
    public void front(final PacketCounters counters)
    {
        frontStep(counters);
    }

    /** Netback side: one step of the back, idling when it found nothing. */
    @Benchmark
    @Group("txPath")
    @GroupThreads(1)
    public void back()
    {
        backStep();
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(TxPathBenchmark.class, args);
    }
}
