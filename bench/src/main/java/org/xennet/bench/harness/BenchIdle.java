package org.xennet.bench.harness;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.xennet.core.event.IdleMode;

/**
 * The wait policies a benchmark side uses when it finds no work, selected by name; shared by {@code xennet bench},
 * the C anchor (same stages, same bounds) and the JMH benchmarks. The names are xennet's one idle vocabulary
 * ({@link IdleMode#OPTION_NAMES}); only the backoff's bounds are the benchmarks' own.
 *
 * <p>Busy-spinning sides collapse when anything else runs on the same cores, so the default is a bounded
 * spin, then yield, then park backoff.
 */
public final class BenchIdle
{
    /** Spin, then yield, then park from {@link #MIN_PARK_NS} doubling to {@link #MAX_PARK_NS} (the default). */
    public static final String BACKOFF = "backoff";

    /** Spin with {@code Thread.onSpinWait()} forever: fastest on a quiet machine, worst on a shared one. */
    public static final String BUSY = "busy-spin";

    /** {@code Thread.yield()} on every empty poll. */
    public static final String YIELD = "yield";

    /** Park {@link #PARK_NS} between empty polls. */
    public static final String PARK = "park";

    /** Park period of {@link #PARK}, in nanoseconds. */
    public static final long PARK_NS = 50_000;

    /** Spins before the backoff starts yielding. */
    public static final long MAX_SPINS = 100;

    /** Yields before the backoff starts parking. */
    public static final long MAX_YIELDS = 1000;

    /** First park period of the backoff, in nanoseconds. */
    public static final long MIN_PARK_NS = 1_000;

    /** Longest park period of the backoff, in nanoseconds. */
    public static final long MAX_PARK_NS = 100_000;

    private BenchIdle()
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
        // A string switch, not IdleMode.fromOptionName: a measured thread calls this, and loading a class there
        // would count as allocation (BenchRunnerTest). BenchIdleTest keeps the names equal to IdleMode's.
        switch (name)
        {
            case BACKOFF:
                return new BackoffIdleStrategy(MAX_SPINS, MAX_YIELDS, MIN_PARK_NS, MAX_PARK_NS);
            case BUSY:
                return new BusySpinIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            case PARK:
                return new SleepingIdleStrategy(PARK_NS);
            default:
                throw new IllegalArgumentException("unknown idle mode: idle=" + name +
                    " (expected " + IdleMode.OPTION_NAMES + ")");
        }
    }
}
