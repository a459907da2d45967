package org.xennet.bench.path;

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
import org.xennet.core.bench.BenchIdle;
import org.xennet.core.bench.TxPath;

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
public class TxPathBenchmark
{
    /** Packet length in bytes: a minimum frame, a medium one, a full Ethernet MTU, a jumbo frame. */
    @Param({"64", "512", "1500", "9000"})
    public int size;

    /** Grant table version of the guest. */
    @Param({"1", "2"})
    public int grantVersion;

    /** Most packets per step. */
    @Param({"64"})
    public int batch;

    /** Wait policy of both sides (see {@link BenchIdle}). */
    @Param({BenchIdle.BACKOFF})
    public String idle;

    private TxPath path;
    private IdleStrategy frontIdle;
    private IdleStrategy backIdle;

    /** Builds and opens the device. */
    @Setup(Level.Trial)
    public void setUp()
    {
        path = new TxPath(size, grantVersion, batch);
        frontIdle = BenchIdle.create(idle);
        backIdle = BenchIdle.create(idle);
    }

    /** Closes the device; fails the trial (JMH reports it with {@code -foe true}) if anything went wrong. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final String error = path.error();
        path.close();
        if (error != null)
        {
            throw new IllegalStateException(error);
        }
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
        final int packets = path.frontWork();
        if (packets > 0)
        {
            counters.packets += packets;
            counters.bytes += (long)packets * size;
            frontIdle.reset();
        }
        else
        {
            frontIdle.idle();
        }
    }

    /** Netback side: one step of the back, idling when it found nothing. */
    @Benchmark
    @Group("txPath")
    @GroupThreads(1)
    public void back()
    {
        if (path.backWork() > 0)
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
        BenchmarkRunner.run(TxPathBenchmark.class, args);
    }
}
