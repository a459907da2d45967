package org.xennet.core.event;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Selectable ways to wait for an {@link EventChannel}, each backed by an Agrona {@link IdleStrategy}. This is
 * xennet's one idle vocabulary: every command's {@code --idle} and the benchmarks' {@code idle} take exactly the
 * names {@link #OPTION_NAMES} ({@link #fromOptionName(String)}).
 */
public enum IdleMode
{
    /** Spin on the pending bit (lowest latency, burns a core). */
    BUSY_SPIN("busy-spin"),
    /** Spin, then yield, then park with exponential backoff up to 1 ms (Agrona's default shape). */
    BACKOFF("backoff"),
    /** {@code Thread.yield()} between checks. */
    YIELD("yield"),
    /** Park for 50 µs between checks (lowest CPU). */
    PARK("park");

    /** The names {@code --idle} accepts, in help-text order. */
    public static final String OPTION_NAMES = "backoff, busy-spin, yield, park";

    private static final IdleMode[] MODES = values();

    private final String optionName;

    IdleMode(final String optionName)
    {
        this.optionName = optionName;
    }

    /** @return the option name, e.g. {@code busy-spin}. */
    public String optionName()
    {
        return optionName;
    }

    /**
     * Parses an option name ({@code backoff}, {@code busy-spin}, {@code yield}, {@code park}; any case, {@code _}
     * for {@code -}).
     *
     * @param name the name given.
     * @return the mode.
     * @throws IllegalArgumentException naming the accepted names.
     */
    public static IdleMode fromOptionName(final String name)
    {
        for (final IdleMode mode : MODES)
        {
            if (matches(mode.optionName, name))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown idle mode: idle=" + name + " (expected " + OPTION_NAMES + ")");
    }

    /** Compares without allocating: a benchmark thread may parse its idle name inside the measured window. */
    private static boolean matches(final String optionName, final String name)
    {
        if (optionName.length() != name.length())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = Character.toLowerCase(name.charAt(i));
            if ((c == '_' ? '-' : c) != optionName.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Creates a new idle strategy for this mode (one per waiting thread: strategies keep state).
     *
     * @return a fresh idle strategy.
     */
    public IdleStrategy newIdleStrategy()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case YIELD:
                return new YieldingIdleStrategy();
            case PARK:
            default:
                return new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
