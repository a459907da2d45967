package org.xennet.bench.throughput;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.bench.MessageCounters;
import org.xennet.bench.harness.AgronaRoundTrip;
import org.xennet.bench.harness.BenchIdle;
import org.xennet.bench.harness.BenchResult;
import org.xennet.bench.harness.RingRoundTrip;
import org.xennet.bench.harness.Workload;

/**
 * The ring round trips of {@code xennet bench} under JMH: the very same {@link RingRoundTrip} ({@code ring-only})
 * and {@link AgronaRoundTrip} ({@code agrona-one-to-one}) steps, front and back each on its own JMH thread, idling
 * with {@link BenchIdle} when a step finds nothing, as {@code BenchRunner} does. Score: the {@code messages}
 * counter (round trips per second). With {@code TxPathBenchmark} and {@code RxPathBenchmark} (the harness's
 * {@code TxPath}/{@code RxPath}) this makes JMH and the CLI measure one set of kernels;
 * {@link NetifTxRingRoundTripBenchmark} stays for its ring-full / poll-empty / notify event counters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Group)
public class HarnessRoundTripBenchmark
{
    /** Which harness workload. */
    @Param({BenchResult.RING_ONLY, BenchResult.AGRONA_ONE_TO_ONE})
    public String workload;

    /** Requests per round trip. */
    @Param({"1", "64"})
    public int batch;

    /** Wait policy of both sides. */
    @Param({BenchIdle.BACKOFF})
    public String idle;

    private Workload kernel;
    private IdleStrategy frontIdle;
    private IdleStrategy backIdle;

    /** Creates the workload (each end builds its own state on its first step, on its own thread). */
    @Setup(Level.Trial)
    public void setUp()
    {
        kernel = BenchResult.RING_ONLY.equals(workload) ? new RingRoundTrip(batch) : new AgronaRoundTrip(batch);
        frontIdle = BenchIdle.create(idle);
        backIdle = BenchIdle.create(idle);
    }

    /** Fails the trial if any response came back wrong. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final String error = kernel.error();
        kernel.close();
        if (error != null)
        {
            throw new IllegalStateException(error);
        }
    }

    /**
     * Front: one step, idling when nothing completed.
     *
     * @param counters round trips completed.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void front(final MessageCounters counters)
    {
        final int done = kernel.frontWork();
        if (done > 0)
        {
            counters.messages += done;
            frontIdle.reset();
        }
        else
        {
            frontIdle.idle();
        }
    }

    /** Back: one step, idling when it found nothing. */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void back()
    {
        if (kernel.backWork() > 0)
        {
            backIdle.reset();
        }
        else
        {
            backIdle.idle();
        }
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(HarnessRoundTripBenchmark.class, args);
    }
}
