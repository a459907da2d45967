package org.xennet.grant;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A small stateless model checker: runs a few threads one at a time, switching only at shared-memory accesses
 * (every access to a {@link ScheduledBuffer}), and enumerates every interleaving depth-first by replaying
 * schedule prefixes. Sequentially consistent: it finds ordering bugs of the algorithm (check-then-act, wrong
 * step order), not hardware reorderings (those are the fences' job).
 */
final class InterleavingExplorer
{
    private static final long STEP_TIMEOUT_SECONDS = 10;

    /** One fresh execution: the threads' bodies and the check to run after each of their steps and at the end. */
    interface Execution
    {
        /** @return thread bodies; they must touch shared state only through {@link ScheduledBuffer}s. */
        List<Runnable> threads();

        /** Called after all threads finished; throws AssertionError when the execution broke an invariant. */
        void checkFinal();
    }

    /** Thrown (wrapped) when some interleaving breaks an invariant; carries the schedule. */
    static final class Violation extends AssertionError
    {
        private static final long serialVersionUID = 1L;

        Violation(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    private final ThreadLocal<Integer> managedId = new ThreadLocal<>();
    private Semaphore[] go;
    private Semaphore back;

    /**
     * Explores every interleaving of fresh executions.
     *
     * @param factory  builds the shared state and threads of one execution, bound to this explorer.
     * @param maxRuns  safety bound on the number of executions.
     * @return the number of interleavings explored.
     * @throws Violation with the schedule when an interleaving breaks an invariant.
     */
    int exploreAll(final Supplier<Execution> factory, final int maxRuns)
    {
        List<Integer> prefix = new ArrayList<>();
        int runs = 0;
        while (prefix != null)
        {
            if (++runs > maxRuns)
            {
                throw new IllegalStateException("too many interleavings: maxRuns=" + maxRuns);
            }
            final List<int[]> trace = runOnce(factory.get(), prefix);
            prefix = nextPrefix(trace);
        }
        return runs;
    }

    /** Pause point: called by a managed thread before each shared access. */
    void pause()
    {
        final Integer id = managedId.get();
        if (id == null)
        {
            return; // set-up and checks run unscheduled
        }
        back.release();
        go[id].acquireUninterruptibly();
    }

    private List<int[]> runOnce(final Execution execution, final List<Integer> prefix)
    {
        final List<Runnable> bodies = execution.threads();
        final int count = bodies.size();
        go = new Semaphore[count];
        back = new Semaphore(0);
        final boolean[] finished = new boolean[count];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            final int id = i;
            go[i] = new Semaphore(0);
            threads[i] = new Thread(() ->
            {
                managedId.set(id);
                go[id].acquireUninterruptibly();
                try
                {
                    bodies.get(id).run();
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                finally
                {
                    finished[id] = true;
                    back.release();
                }
            }, "explored-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }

        final List<int[]> trace = new ArrayList<>();
        final List<Integer> schedule = new ArrayList<>();
        while (true)
        {
            final int[] enabled = enabled(finished);
            if (enabled.length == 0)
            {
                break;
            }
            final int step = trace.size();
            final int choice = step < prefix.size() ? prefix.get(step) : enabled[0];
            trace.add(new int[] {choice, enabledMask(enabled)});
            schedule.add(choice);
            go[choice].release();
            try
            {
                if (!back.tryAcquire(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("thread " + choice + " did not reach a pause point: " + schedule);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            }
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            }
        }
        try
        {
            if (failure.get() != null)
            {
                throw failure.get();
            }
            execution.checkFinal();
        }
        catch (final Throwable ex)
        {
            throw new Violation("invariant broken by schedule " + schedule + " (thread index per step): " +
                ex.getMessage(), ex);
        }
        return trace;
    }

    private static int[] enabled(final boolean[] finished)
    {
        int n = 0;
        for (final boolean done : finished)
        {
            n += done ? 0 : 1;
        }
        final int[] enabled = new int[n];
        int k = 0;
        for (int i = 0; i < finished.length; i++)
        {
            if (!finished[i])
            {
                enabled[k++] = i;
            }
        }
        return enabled;
    }

    private static int enabledMask(final int[] enabled)
    {
        int mask = 0;
        for (final int id : enabled)
        {
            mask |= 1 << id;
        }
        return mask;
    }

    /** Depth-first backtracking: the deepest step that still has an untried enabled thread. */
    private static List<Integer> nextPrefix(final List<int[]> trace)
    {
        for (int step = trace.size() - 1; step >= 0; step--)
        {
            final int[] decision = trace.get(step);
            final int mask = decision[1];
            for (int next = decision[0] + 1; next < 32; next++)
            {
                if ((mask & (1 << next)) != 0)
                {
                    final List<Integer> prefix = new ArrayList<>();
                    for (int i = 0; i < step; i++)
                    {
                        prefix.add(trace.get(i)[0]);
                    }
                    prefix.add(next);
                    return prefix;
                }
            }
        }
        return null;
    }

    /** An UnsafeBuffer whose shared accesses are pause points of the explorer. */
    static final class ScheduledBuffer extends UnsafeBuffer
    {
        private final InterleavingExplorer explorer;

        ScheduledBuffer(final DirectBuffer memory, final InterleavingExplorer explorer)
        {
            super(memory);
            this.explorer = explorer;
        }

        @Override
        public int getIntVolatile(final int index)
        {
            explorer.pause();
            return super.getIntVolatile(index);
        }

        @Override
        public int getInt(final int index)
        {
            explorer.pause();
            return super.getInt(index);
        }

        @Override
        public boolean compareAndSetInt(final int index, final int expectedValue, final int updateValue)
        {
            explorer.pause();
            return super.compareAndSetInt(index, expectedValue, updateValue);
        }

        @Override
        public void putIntRelease(final int index, final int value)
        {
            explorer.pause();
            super.putIntRelease(index, value);
        }

        @Override
        public void putIntVolatile(final int index, final int value)
        {
            explorer.pause();
            super.putIntVolatile(index, value);
        }

        @Override
        public void putInt(final int index, final int value)
        {
            explorer.pause();
            super.putInt(index, value);
        }

        @Override
        public short getShort(final int index)
        {
            explorer.pause();
            return super.getShort(index);
        }

        @Override
        public short getShortVolatile(final int index)
        {
            explorer.pause();
            return super.getShortVolatile(index);
        }

        @Override
        public void putShort(final int index, final short value)
        {
            explorer.pause();
            super.putShort(index, value);
        }

        @Override
        public long getLong(final int index)
        {
            explorer.pause();
            return super.getLong(index);
        }

        @Override
        public void putLong(final int index, final long value)
        {
            explorer.pause();
            super.putLong(index, value);
        }
    }
}
