package org.xennet.bench.harness;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * Runs one {@link Workload}: the front (and, for two-thread cases, the back) each on its own thread, looping
 * over their steps and idling with a {@link BenchIdle} strategy when a step finds nothing; warm-up first, then a
 * measured window read from the main thread (messages, elapsed time, bytes allocated by both threads through
 * {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}).
 */
public final class BenchRunner
{
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private BenchRunner()
    {
    }

    /**
     * What the measured window saw.
     *
     * @param messages       packets (or round trips) completed.
     * @param nanos          length of the window.
     * @param allocatedBytes bytes allocated by the workload's threads in the window.
     */
    public record Measurement(long messages, long nanos, long allocatedBytes, double frontBusy, double backBusy)
    {
        /**
         * @return "pipelined" when both sides were busy most of the window (each above 0.75), "starved" when the two
         *         together were busy less than half of it (neither got the CPU: the machine's schedule, not the
         *         code, set the rate), "lock-step" when the two busy fractions add up to little more than one (one
         *         side waits while the other works), else "mixed"; "-" for single-thread cases.
         */
        public String schedule()
        {
            if (Double.isNaN(backBusy))
            {
                return "-";
            }
            if (frontBusy > 0.75 && backBusy > 0.75)
            {
                return "pipelined";
            }
            if (frontBusy + backBusy < 0.5)
            {
                return "starved";
            }
            return frontBusy + backBusy < 1.25 ? "lock-step" : "mixed";
        }

        /** @return messages per second. */
        public double perSecond()
        {
            return nanos == 0 ? 0 : messages * 1e9 / nanos;
        }

        /** @return bytes allocated per message (0 when nothing completed). */
        public double bytesPerOp()
        {
            return messages == 0 ? 0 : (double)allocatedBytes / messages;
        }
    }

    /** Receives progress while a workload runs (on the calling thread, about every 100 ms). */
    @FunctionalInterface
    public interface Progress
    {
        /**
         * Reports progress.
         *
         * @param fraction          0..1 of this case's time (warm-up included).
         * @param messagesPerSecond rate over the last interval.
         */
        void update(double fraction, double messagesPerSecond);
    }

    /**
     * Runs a workload and closes nothing (the caller owns it).
     *
     * @param workload     the workload.
     * @param warmupNanos  warm-up time (not measured).
     * @param measureNanos measured time.
     * @param idle         {@link BenchIdle} policy name.
     * @param progress     progress receiver, or null.
     * @return the measurement.
     * @throws IllegalStateException when a side failed or the workload reports an error.
     */
    public static Measurement run(
        final Workload workload, final long warmupNanos, final long measureNanos, final String idle,
        final Progress progress)
    {
        BenchIdle.create(idle); // validate the name before starting threads
        final Side front = new Side(workload, true, BenchIdle.create(idle));
        final Side back = workload.twoThreads() ? new Side(workload, false, BenchIdle.create(idle)) : null;
        front.start();
        if (back != null)
        {
            back.start();
        }
        final long start = System.nanoTime();
        final long total = warmupNanos + measureNanos;
        try
        {
            waitUntil(start, start + warmupNanos, total, front, progress);
            final long messages0 = front.messages.get();
            final long alloc0 = allocated(front, back);
            final long t0 = System.nanoTime();
            final long frontIdle0 = front.idleNanos(t0);
            final long backIdle0 = back == null ? 0 : back.idleNanos(t0);
            waitUntil(start, t0 + measureNanos, total, front, progress);
            final long messages1 = front.messages.get();
            final long t1 = System.nanoTime();
            final long frontIdle1 = front.idleNanos(t1);
            final long backIdle1 = back == null ? 0 : back.idleNanos(t1);
            final long alloc1 = allocated(front, back);
            final double window = t1 - t0;
            return new Measurement(messages1 - messages0, t1 - t0, alloc1 - alloc0,
                busy(frontIdle1 - frontIdle0, window), back == null ? Double.NaN : busy(backIdle1 - backIdle0, window));
        }
        finally
        {
            front.running = false;
            if (back != null)
            {
                back.running = false;
            }
            join(front);
            join(back);
            final String failure = front.failure != null ? front.failure : back != null ? back.failure : null;
            if (failure != null)
            {
                throw new IllegalStateException(failure);
            }
            final String error = workload.error();
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
        }
    }

    private static void waitUntil(
        final long start, final long deadline, final long total, final Side front, final Progress progress)
    {
        long lastTime = System.nanoTime();
        long lastMessages = front.messages.get();
        while (true)
        {
            final long now = System.nanoTime();
            if (now - deadline >= 0 || !front.isAlive())
            {
                return;
            }
            LockSupport.parkNanos(Math.min(PROGRESS_INTERVAL_NS, deadline - now));
            if (progress != null)
            {
                final long t = System.nanoTime();
                final long m = front.messages.get();
                progress.update(Math.min(1.0, (t - start) / (double)total), (m - lastMessages) * 1e9 / (t - lastTime));
                lastTime = t;
                lastMessages = m;
            }
        }
    }

    private static double busy(final long idleNanos, final double window)
    {
        return Math.max(0.0, Math.min(1.0, 1.0 - idleNanos / window));
    }

    private static long allocated(final Side front, final Side back)
    {
        return THREADS.getThreadAllocatedBytes(front.getId()) + (back == null ? 0 : THREADS.getThreadAllocatedBytes(
            back.getId()));
    }

    private static void join(final Side side)
    {
        if (side == null)
        {
            return;
        }
        try
        {
            side.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping: thread=" + side.getName(), ex);
        }
    }

    private static final class Side extends Thread
    {
        private final Workload workload;
        private final boolean front;
        private final IdleStrategy idle;
        private final AtomicLong messages = new AtomicLong();
        private final AtomicLong idleTotal = new AtomicLong();  // nanoseconds spent in idle stretches that ended
        private final AtomicLong idleSince = new AtomicLong();  // start of the current idle stretch, 0 while busy
        private volatile boolean running = true;
        private volatile String failure;

        Side(final Workload workload, final boolean front, final IdleStrategy idle)
        {
            super(front ? "xennet-bench-front" : "xennet-bench-back");
            setDaemon(true);
            this.workload = workload;
            this.front = front;
            this.idle = idle;
        }

        /** @return idle nanoseconds up to {@code now}, the current idle stretch included (sampled, approximate). */
        long idleNanos(final long now)
        {
            final long since = idleSince.get();
            return idleTotal.get() + (since != 0 ? Math.max(0, now - since) : 0);
        }

        @Override
        public void run()
        {
            try
            {
                final Workload workload = this.workload;
                final IdleStrategy idle = this.idle;
                final AtomicLong messages = this.messages;
                long count = 0;
                long idleStart = 0;
                while (running)
                {
                    final int work = front ? workload.frontWork() : workload.backWork();
                    if (work > 0)
                    {
                        count += work;
                        messages.lazySet(count); // single writer; the main thread only samples it
                        if (idleStart != 0)
                        {
                            // busy/idle is timed only at transitions: a pipelined side hardly ever reads the clock
                            idleTotal.lazySet(idleTotal.get() + System.nanoTime() - idleStart);
                            idleSince.lazySet(0);
                            idleStart = 0;
                        }
                        idle.reset();
                    }
                    else
                    {
                        if (idleStart == 0)
                        {
                            idleStart = System.nanoTime();
                            idleSince.lazySet(idleStart);
                        }
                        idle.idle();
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                failure = getName() + " failed: " + ex;
            }
        }
    }
}
