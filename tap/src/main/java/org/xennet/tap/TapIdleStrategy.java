package org.xennet.tap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

import org.agrona.BufferUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * How a TAP end waits: spin, yield, then sleep in {@code ppoll} on both of its sources of work at once — its TAP
 * (a frame from the Linux stack) and its wake-up {@code eventfd} (the other end put something on a ring) — with a
 * bounded timeout as a safety net. The other end writes the eventfd only when this end announced it is going to
 * sleep ({@link #wake()}), the same notification suppression Xen rings use with {@code req_event}/{@code rsp_event}:
 * <pre>
 *   sleeper:  sleeping = 1; full fence; re-check the rings; ppoll(TAP, eventfd)
 *   producer: publish ring index;  full fence; if (sleeping) write(eventfd)
 * </pre>
 * Either the sleeper's re-check sees the new index or the producer sees {@code sleeping} and wakes it. Idle ends
 * cost no CPU, and a ping wakes each end at once rather than after a park interval.
 */
final class TapIdleStrategy implements IdleStrategy, AutoCloseable
{
    private static final VarHandle SLEEPING;

    static
    {
        try
        {
            SLEEPING = MethodHandles.lookup().findVarHandle(TapIdleStrategy.class, "sleeping", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int tapFd;
    private final int eventFd;
    private final int spins;
    private final int yields;
    private final BooleanSupplier hasWork;
    private final BooleanSupplier tapPaused;
    private final UnsafeBuffer native8 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final long pollFds;   // struct pollfd[2] at offset 0
    private final long timeout;   // struct timespec at offset 16
    private final long counter;   // u64 at offset 32 for eventfd read/write
    private final long wakeCounter;
    private final UnsafeBuffer wakeBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private int spun;
    private int yielded;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile int sleeping;
    private long sleeps;
    private long wakeups;

    /**
     * @param tap       the end's TAP.
     * @param spins     busy spins before yielding.
     * @param yields    yields before sleeping.
     * @param timeoutNs longest sleep (a safety net: work is signalled by the TAP or the eventfd).
     * @param hasWork   the end's re-check of its rings, run on its own thread after announcing the sleep.
     * @param tapPaused whether the end holds a frame it cannot pass on yet (then a readable TAP is no reason to
     *                  wake: only the other end's progress is).
     */
    TapIdleStrategy(
        final TapDevice tap, final int spins, final int yields, final long timeoutNs, final BooleanSupplier hasWork,
        final BooleanSupplier tapPaused)
    {
        this.tapFd = tap.fd();
        this.eventFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (eventFd < 0)
        {
            throw new TapException("eventfd failed: " + LibC.describe(LibC.errno()));
        }
        this.spins = spins;
        this.yields = yields;
        this.hasWork = hasWork;
        this.tapPaused = tapPaused;
        final long base = native8.addressOffset();
        this.pollFds = base;
        this.timeout = base + 16;
        this.counter = base + 32;
        native8.putInt(0, tapFd);
        native8.putShort(4, LibC.POLLIN);
        native8.putInt(8, eventFd);
        native8.putShort(12, LibC.POLLIN);
        native8.putLong(16, timeoutNs / 1_000_000_000L);
        native8.putLong(24, timeoutNs % 1_000_000_000L);
        wakeBuffer.putLong(0, 1);
        this.wakeCounter = wakeBuffer.addressOffset();
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (spun < spins)
        {
            spun++;
            Thread.onSpinWait();
            return;
        }
        if (yielded < yields)
        {
            yielded++;
            Thread.yield();
            return;
        }
        SLEEPING.setVolatile(this, 1);
        VarHandle.fullFence(); // pairs with the producer's fence in wake(): one of us sees the other's store
        if (!hasWork.getAsBoolean())
        {
            sleeps++;
            native8.putInt(0, tapPaused.getAsBoolean() ? -1 : tapFd); // a negative fd is ignored by ppoll
            native8.putShort(6, (short)0);
            native8.putShort(14, (short)0);
            LibC.ppoll(pollFds, 2, timeout, 0);
            if (native8.getShort(14) != 0)
            {
                LibC.read(eventFd, counter, 8); // clears the eventfd counter
            }
        }
        SLEEPING.setVolatile(this, 0);
    }

    /**
     * Called by the other end after it published ring work (any thread but this end's): wakes this end if it is
     * sleeping or about to.
     */
    void wake()
    {
        VarHandle.fullFence(); // ring index stores before the read of sleeping
        if ((int)SLEEPING.getVolatile(this) != 0)
        {
            wakeups++;
            LibC.write(eventFd, wakeCounter, 8);
        }
    }

    @Override
    public void reset()
    {
        spun = 0;
        yielded = 0;
    }

    @Override
    public String alias()
    {
        return "tap-ppoll";
    }

    /** @return times this end slept in ppoll. */
    long sleeps()
    {
        return sleeps;
    }

    /** @return eventfd writes the other end made to wake this one. */
    long wakeups()
    {
        return wakeups;
    }

    @Override
    public void close()
    {
        LibC.close(eventFd);
    }
}
