package org.xennet.bench.path;

import org.agrona.concurrent.IdleStrategy;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.xennet.bench.harness.BenchIdle;
import org.xennet.bench.harness.Workload;

/**
 * What the tx and rx path benchmarks share: the parameters, the device's set-up and tear-down, and one idling
 * step of each side over a {@link Workload} (the steps {@code xennet bench} runs too). Subclasses name the
 * workload and carry the JMH {@code @Group} methods, which call {@link #frontStep} and {@link #backStep}.
 */
@State(Scope.Group)
public abstract class PathBenchmark
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

    private Workload path;
    private IdleStrategy frontIdle;
    private IdleStrategy backIdle;

    /**
     * @param size         packet length in bytes.
     * @param grantVersion grant table version.
     * @param batch        most packets per step.
     * @return the opened path.
     */
    protected abstract Workload createPath(int size, int grantVersion, int batch);

    /** Builds and opens the device. */
    @Setup(Level.Trial)
    public void setUp()
    {
        path = createPath(size, grantVersion, batch);
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
     * One step of the netfront side, idling when nothing completed.
     *
     * @param counters packets and bytes completed.
     */
    protected final void frontStep(final PacketCounters counters)
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

    /** One step of the netback side, idling when it found nothing. */
    protected final void backStep()
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
}
