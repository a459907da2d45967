package org.xennet.bench.latency;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
import org.xennet.bench.harness.BenchIdle;
import org.xennet.bench.harness.LatencyProbe;
import org.xennet.bench.harness.LatencyProbes;

/**
 * Round-trip latency, one request in flight, over the same {@link LatencyProbe}s as {@code xennet bench --latency}:
 * the raw cache-line ping-pong (the physical limit), the xennet ring, the tx and rx paths. JMH's
 * {@code SampleTime} mode times each invocation (send, then wait for the response) and reports p50 .. p99.99 and
 * max; the peer answers on a thread this benchmark owns. Run e.g.
 * {@code java -jar bench/target/benchmarks.jar LatencyBenchmark -p probe=raw-ping-pong,ring -p idle=busy}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Benchmark)
public class LatencyBenchmark
{
    /** Which probe ({@link LatencyProbes#NAMES}). */
    @Param({LatencyProbes.RAW, LatencyProbes.RING, LatencyProbes.TX_PATH, LatencyProbes.RX_PATH})
    public String probe;

    /** Packet size of the paths (ignored by the raw and ring probes). */
    @Param({"64", "1500"})
    public int size;

    /** Grant version of the paths. */
    @Param({"1"})
    public int grantVersion;

    /** Wait policy of both sides: busy-poll or backoff. */
    @Param({BenchIdle.BUSY, BenchIdle.BACKOFF})
    public String idle;

    private LatencyProbe kernel;
    private IdleStrategy wait;
    private Thread peer;
    private volatile boolean running;

    /** Creates the probe and starts the peer thread. */
    @Setup(Level.Trial)
    public void setUp()
    {
        kernel = LatencyProbes.create(probe, size, grantVersion);
        wait = BenchIdle.create(idle);
        final IdleStrategy peerIdle = BenchIdle.create(idle);
        final LatencyProbe k = kernel;
        running = true;
        peer = new Thread(() ->
        {
            while (running)
            {
                if (k.peerWork() > 0)
                {
                    peerIdle.reset();
                }
                else
                {
                    peerIdle.idle();
                }
            }
        }, "xennet-latency-peer");
        peer.setDaemon(true);
        peer.start();
    }

    /** Stops the peer; fails the trial if any response was wrong. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        running = false;
        peer.join();
        final String error = kernel.error();
        kernel.close();
        if (error != null)
        {
            throw new IllegalStateException(error);
        }
    }

    /** One round trip: send, then wait (busy-poll or backoff) for the response. */
    @Benchmark
    public void roundTrip()
    {
        final LatencyProbe k = kernel;
        k.send();
        while (!k.poll())
        {
            wait.idle();
        }
        wait.reset();
    }
}
