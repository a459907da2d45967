package org.xennet.bench;

import org.agrona.concurrent.IdleStrategy;
import org.xennet.bench.harness.BenchIdle;

/**
 * The wait policies a benchmark side may use when it finds no work, selected by name ({@code -p idle=...}).
 *
 * <p>Busy-spinning sides collapse when anything else runs on the same cores, so the default is a bounded
 * spin, then yield, then park backoff. The C anchor implements the same three stages with the same bounds
 * ({@link BenchIdle}, in core, owns them).
 */
public final class IdleStrategies
{
    /** Spin, then yield, then park from {@link #MIN_PARK_NS} doubling to {@link #MAX_PARK_NS} (the default). */
    public static final String BACKOFF = "backoff";

    /** Spin with {@code Thread.onSpinWait()} forever: fastest on a quiet machine, worst on a shared one. */
    public static final String BUSY = BenchIdle.BUSY;

    /** {@code Thread.yield()} on every empty poll. */
    public static final String YIELD = BenchIdle.YIELD;

    /** Park between empty polls. */
    public static final String PARK = BenchIdle.PARK;

    /** Spins before the backoff starts yielding. */
    public static final long MAX_SPINS = BenchIdle.MAX_SPINS;

    /** Yields before the backoff starts parking. */
    public static final long MAX_YIELDS = BenchIdle.MAX_YIELDS;

    /** First park period of the backoff, in nanoseconds. */
    public static final long MIN_PARK_NS = BenchIdle.MIN_PARK_NS;

    /** Longest park period of the backoff, in nanoseconds. */
    public static final long MAX_PARK_NS = BenchIdle.MAX_PARK_NS;

    private IdleStrategies()
    {
    }

    /**
     * Creates a fresh idle strategy (each waiting thread needs its own: they carry backoff state).
     *
     * @param name {@link #BACKOFF}, {@link #BUSY}, {@link #YIELD} or {@link #PARK}.
     * @return the strategy.
     * @throws IllegalArgumentException for an unknown name.
     */
    public static IdleStrategy create(final String name)
    {
        return BenchIdle.create(name); // one vocabulary: backoff, busy-spin, yield, park
    }
}
