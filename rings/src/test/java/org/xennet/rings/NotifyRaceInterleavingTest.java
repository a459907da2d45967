package org.xennet.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.rings.netif.NetifTxRing;

/**
 * Runs the real {@link FrontRing#pushRequestsAndCheckNotify()} and {@link BackRing#finalCheckForRequests()} in two
 * threads whose every shared header access is a scheduling point, and enumerates every sequentially consistent
 * interleaving (stateless depth-first search over the schedule). Complements {@link NotifyRaceModelTest}, which
 * models store buffers and fences: here the code under test is the production code itself. Planted bugs (final
 * check without the re-check; notify decided from a req_event read before publishing) must lose a wakeup.
 */
class NotifyRaceInterleavingTest
{
    private static final int[] CONS = { 0, 0xFFFFFFFF, 0xFFFFFF00 };
    private static final int[] EVENT_LAG = { 0, 1, 2, 200 };
    private static final int[] PUSHED = { 1, 3 };

    /** Which code the two threads run. */
    enum Variant
    {
        REAL,
        CONSUMER_WITHOUT_RECHECK,
        PRODUCER_READS_EVENT_BEFORE_PUSH
    }

    private int executions;
    private final List<String> lostWakeups = new ArrayList<>();

    @Test
    void shouldNeverLoseWakeupInAnyInterleavingOfTheRealCode() throws InterruptedException
    {
        exploreAll(Variant.REAL);
        assertEquals(List.of(), lostWakeups);
        assertTrue(executions >= CONS.length * EVENT_LAG.length * PUSHED.length * 10, "executions=" + executions);
    }

    @Test
    void shouldLoseWakeupWhenFinalCheckSkipsTheRecheck() throws InterruptedException
    {
        exploreAll(Variant.CONSUMER_WITHOUT_RECHECK);
        assertTrue(!lostWakeups.isEmpty(), "no lost wakeup in " + executions + " executions");
    }

    @Test
    void shouldLoseWakeupWhenNotifyReadsEventBeforePublishing() throws InterruptedException
    {
        exploreAll(Variant.PRODUCER_READS_EVENT_BEFORE_PUSH);
        assertTrue(!lostWakeups.isEmpty(), "no lost wakeup in " + executions + " executions");
    }

    private void exploreAll(final Variant variant) throws InterruptedException
    {
        for (final int cons : CONS)
        {
            for (final int lag : EVENT_LAG)
            {
                for (final int pushed : PUSHED)
                {
                    exploreSchedules(variant, cons, cons + 1 - lag, pushed);
                }
            }
        }
    }

    /** Stateless DFS: replay a schedule prefix, take choice 0 beyond it, then advance the deepest open choice. */
    private void exploreSchedules(final Variant variant, final int cons, final int reqEvent, final int pushed)
        throws InterruptedException
    {
        final List<int[]> choices = new ArrayList<>(); // {taken, options}
        while (true)
        {
            final Run run = new Run(variant, cons, reqEvent, pushed, choices);
            run.execute();
            executions++;
            if (run.consumerSlept && !run.notified)
            {
                lostWakeups.add(variant + " cons=" + Integer.toUnsignedString(cons) + " req_event=" +
                    Integer.toUnsignedString(reqEvent) + " pushed=" + pushed + " schedule=" + run.trace);
            }
            int depth = choices.size() - 1;
            while (depth >= 0 && choices.get(depth)[0] + 1 >= choices.get(depth)[1])
            {
                depth--;
            }
            if (depth < 0)
            {
                return;
            }
            choices.get(depth)[0]++;
            choices.subList(depth + 1, choices.size()).clear();
        }
    }

    /** One execution under a given schedule: two actor threads, one runs at a time, switching at header accesses. */
    private static final class Run
    {
        private final Variant variant;
        private final int cons;
        private final int pushed;
        private final List<int[]> choices;
        private final SteppingBuffer page = new SteppingBuffer();
        private final FrontRing front = NetifTxRing.front(page);
        private final BackRing back = NetifTxRing.back(page);
        private final boolean[] waiting = new boolean[2];
        private final boolean[] finished = new boolean[2];
        private int granted = -1;
        private int decision;
        final StringBuilder trace = new StringBuilder();
        volatile boolean notified;
        volatile boolean consumerSlept;

        Run(final Variant variant, final int cons, final int reqEvent, final int pushed, final List<int[]> choices)
        {
            this.variant = variant;
            this.cons = cons;
            this.pushed = pushed;
            this.choices = choices;
            page.putInt(SharedRingDescriptor.REQ_PROD_OFFSET, cons);
            page.putInt(SharedRingDescriptor.REQ_EVENT_OFFSET, reqEvent);
            front.attach(cons);
            front.reqProdPvt(cons + pushed);
            back.attach(cons);
            page.run = this;
        }

        void execute() throws InterruptedException
        {
            final Thread producer = new Thread(() -> actor(0, this::produce), "producer");
            final Thread consumer = new Thread(() -> actor(1, this::consume), "consumer");
            producer.start();
            consumer.start();
            schedule();
            producer.join();
            consumer.join();
        }

        private void produce()
        {
            if (variant == Variant.PRODUCER_READS_EVENT_BEFORE_PUSH)
            {
                final int oldProd = page.getInt(SharedRingDescriptor.REQ_PROD_OFFSET);
                final int reqEvent = page.getIntVolatile(SharedRingDescriptor.REQ_EVENT_OFFSET);
                front.pushRequests();
                final int newProd = front.reqProdPvt();
                notified = Integer.compareUnsigned(newProd - reqEvent, newProd - oldProd) < 0;
            }
            else
            {
                notified = front.pushRequestsAndCheckNotify();
            }
        }

        private void consume()
        {
            if (variant == Variant.CONSUMER_WITHOUT_RECHECK)
            {
                final int work = back.unconsumedRequests();
                if (work == 0)
                {
                    page.putIntRelease(SharedRingDescriptor.REQ_EVENT_OFFSET, back.reqCons() + 1);
                }
                consumerSlept = work == 0;
            }
            else
            {
                consumerSlept = back.finalCheckForRequests() == 0;
            }
        }

        private void actor(final int id, final Runnable body)
        {
            try
            {
                beforeAccess(id);
                body.run();
            }
            finally
            {
                synchronized (this)
                {
                    finished[id] = true;
                    waiting[id] = false;
                    granted = -1;
                    notifyAll();
                }
            }
        }

        /** Called by an actor before each shared access (and once at start): park until the scheduler picks it. */
        synchronized void beforeAccess(final int id)
        {
            waiting[id] = true;
            granted = granted == id ? -1 : granted;
            notifyAll();
            while (granted != id)
            {
                awaitQuietly();
            }
            waiting[id] = false;
        }

        private synchronized void schedule()
        {
            while (true)
            {
                while (!(quiescent(0) && quiescent(1)) || granted != -1)
                {
                    awaitQuietly();
                }
                final int options = (waiting[0] ? 1 : 0) + (waiting[1] ? 1 : 0);
                if (options == 0)
                {
                    return;
                }
                final int pick;
                if (options == 1)
                {
                    pick = waiting[0] ? 0 : 1;
                }
                else
                {
                    if (decision == choices.size())
                    {
                        choices.add(new int[] { 0, 2 });
                    }
                    pick = choices.get(decision++)[0];
                }
                trace.append(pick == 0 ? 'P' : 'C');
                granted = pick;
                notifyAll();
            }
        }

        private boolean quiescent(final int id)
        {
            return waiting[id] || finished[id];
        }

        private void awaitQuietly()
        {
            try
            {
                wait(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }

        int threadId()
        {
            return "producer".equals(Thread.currentThread().getName()) ? 0 : 1;
        }
    }

    /** A page whose header accesses are scheduling points once a run is attached. */
    private static final class SteppingBuffer extends UnsafeBuffer
    {
        Run run;

        SteppingBuffer()
        {
            super(BufferUtil.allocateDirectAligned(4096, 4096));
        }

        private void step(final int index)
        {
            if (null != run && index < SharedRingDescriptor.HEADER_LENGTH &&
                Thread.currentThread().getName().matches("producer|consumer"))
            {
                run.beforeAccess(run.threadId());
            }
        }

        @Override
        public int getInt(final int index)
        {
            step(index);
            return super.getInt(index);
        }

        @Override
        public void putInt(final int index, final int value)
        {
            step(index);
            super.putInt(index, value);
        }

        @Override
        public int getIntVolatile(final int index)
        {
            step(index);
            return super.getIntVolatile(index);
        }

        @Override
        public int getIntAcquire(final int index)
        {
            step(index);
            return super.getIntAcquire(index);
        }

        @Override
        public void putIntRelease(final int index, final int value)
        {
            step(index);
            super.putIntRelease(index, value);
        }
    }
}
