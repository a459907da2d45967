package org.xennet.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xennet.rings.netif.NetifTxRing;

/**
 * Exhaustive model check of the notify / final-check race ({@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY} against
 * {@code RING_FINAL_CHECK_FOR_REQUESTS}) at the granularity of shared-memory accesses.
 *
 * <p>The front end pushes {@code k} requests and decides whether to notify; concurrently the back end, having
 * consumed everything, runs its final check and goes to sleep if it finds no work. Every interleaving is enumerated
 * under x86-TSO (each thread has a FIFO store buffer that drains to memory at any moment, and a full fence waits for
 * it to drain; with all buffers drained at once this includes every sequentially consistent interleaving). A lost
 * wakeup is a run where the back end sleeps with requests pending and the front end does not notify.
 *
 * <p>The access sequence modelled is the one {@link FrontRing#pushRequestsAndCheckNotify()} and
 * {@link BackRing#finalCheckForRequests()} perform (pinned by the Mockito {@code InOrder} tests): load req_prod,
 * release-store req_prod, full fence, load req_event / load req_prod, store req_event, full fence, load req_prod.
 * The notify and work decisions are computed by the real ring classes. Dropping either fence or the re-check must
 * produce a counterexample, which shows that the checker can fail.
 */
class NotifyRaceModelTest
{
    /** Which protocol the model runs: the real one, or a planted bug. */
    enum Variant
    {
        CORRECT(true, true, true),
        NO_PUSH_FENCE(false, true, true),
        NO_FINAL_CHECK_FENCE(true, false, true),
        NO_RECHECK(true, true, false);

        final boolean pushFence;
        final boolean finalCheckFence;
        final boolean recheck;

        Variant(final boolean pushFence, final boolean finalCheckFence, final boolean recheck)
        {
            this.pushFence = pushFence;
            this.finalCheckFence = finalCheckFence;
            this.recheck = recheck;
        }
    }

    private static final int REQ_PROD = 0;
    private static final int REQ_EVENT = 1;
    private static final int[] CONS = { 0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFF00, 12345 };
    /** How far req_event lags behind cons + 1 (0: already armed; more: armed long ago, as in a busy ring). */
    private static final int[] EVENT_LAG = { 0, 1, 2, 100, 255 };
    private static final int[] PUSHED = { 1, 2, 5 };

    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));
    private final FrontRing front = NetifTxRing.front(scratch);
    private final BackRing back = NetifTxRing.back(scratch);

    private long executions;
    private final List<String> counterexamples = new ArrayList<>();

    @Test
    void shouldNeverLoseWakeupWithRingHProtocol()
    {
        exploreAll(Variant.CORRECT);
        assertEquals(List.of(), counterexamples, "lost wakeups");
        assertTrue(executions > 10_000, "explored only " + executions + " executions");
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = "CORRECT", mode = EnumSource.Mode.EXCLUDE)
    void shouldFindLostWakeupWhenFenceOrRecheckIsDropped(final Variant variant)
    {
        exploreAll(variant);
        assertTrue(!counterexamples.isEmpty(), variant + " lost no wakeup in " + executions + " executions");
    }

    @Test
    void shouldNotifyWhenBackendArmedBeforePushEvenWithoutFences()
    {
        // sanity of the decision itself: with req_event already at cons + 1 every variant notifies
        exploreInitial(Variant.NO_PUSH_FENCE, 0, 1, 1);
        exploreInitial(Variant.NO_RECHECK, 0, 1, 1);
        assertEquals(List.of(), counterexamples);
    }

    private void exploreAll(final Variant variant)
    {
        for (final int cons : CONS)
        {
            for (final int lag : EVENT_LAG)
            {
                for (final int pushed : PUSHED)
                {
                    exploreInitial(variant, cons, cons + 1 - lag, pushed);
                }
            }
        }
    }

    private void exploreInitial(final Variant variant, final int cons, final int reqEvent, final int pushed)
    {
        final State state = new State();
        state.memory[REQ_PROD] = cons;
        state.memory[REQ_EVENT] = reqEvent;
        explore(variant, cons, cons + pushed, state);
    }

    private void explore(final Variant variant, final int cons, final int newProd, final State state)
    {
        boolean moved = false;
        if (!state.producerDone() && producerCanStep(variant, state))
        {
            final State next = state.copy();
            producerStep(variant, newProd, next);
            explore(variant, cons, newProd, next);
            moved = true;
        }
        if (!state.consumerDone() && consumerCanStep(variant, state))
        {
            final State next = state.copy();
            consumerStep(variant, cons, next);
            explore(variant, cons, newProd, next);
            moved = true;
        }
        for (int thread = 0; thread < 2; thread++)
        {
            if (!state.buffers[thread].isEmpty())
            {
                final State next = state.copy();
                final int[] store = next.buffers[thread].removeFirst();
                next.memory[store[0]] = store[1];
                next.trace.add((thread == 0 ? "front" : "back") + " store buffer drains " + name(store[0]) + "=" +
                    Integer.toUnsignedString(store[1]));
                explore(variant, cons, newProd, next);
                moved = true;
            }
        }
        if (!moved)
        {
            executions++;
            if (state.consumerSlept && !state.notified && counterexamples.size() < 3)
            {
                counterexamples.add(variant + ": cons=" + Integer.toUnsignedString(cons) + " pushed to " +
                    Integer.toUnsignedString(newProd) + "\n  " + String.join("\n  ", state.trace));
            }
        }
    }

    private static boolean producerCanStep(final Variant variant, final State state)
    {
        return state.producerPc != 2 || !variant.pushFence || state.buffers[0].isEmpty();
    }

    private static boolean consumerCanStep(final Variant variant, final State state)
    {
        return state.consumerPc != 2 || !variant.finalCheckFence || state.buffers[1].isEmpty();
    }

    private void producerStep(final Variant variant, final int newProd, final State s)
    {
        switch (s.producerPc)
        {
            case 0 -> // old = req_prod (only the front end writes it)
            {
                s.oldProd = s.load(0, REQ_PROD);
                s.trace.add("front loads req_prod=" + Integer.toUnsignedString(s.oldProd));
                s.producerPc = 1;
            }
            case 1 -> // release-store req_prod = new
            {
                s.buffers[0].addLast(new int[] { REQ_PROD, newProd });
                s.trace.add("front stores req_prod=" + Integer.toUnsignedString(newProd) + " (buffered)");
                s.producerPc = 2;
            }
            case 2 -> // full fence (drained, see producerCanStep), or skipped in the planted bug
            {
                s.trace.add(variant.pushFence ? "front full fence" : "front (no fence)");
                s.producerPc = 3;
            }
            default -> // load req_event, decide with the real FrontRing
            {
                final int reqEvent = s.load(0, REQ_EVENT);
                s.notified = frontNotifies(s.oldProd, newProd, reqEvent);
                s.trace.add("front loads req_event=" + Integer.toUnsignedString(reqEvent) + " -> notify=" + s.notified);
                s.producerPc = 4;
            }
        }
    }

    private void consumerStep(final Variant variant, final int cons, final State s)
    {
        switch (s.consumerPc)
        {
            case 0 ->
            {
                final int reqProd = s.load(1, REQ_PROD);
                final int work = backWork(cons, reqProd);
                s.trace.add("back loads req_prod=" + Integer.toUnsignedString(reqProd) + " -> work=" + work);
                s.consumerPc = work != 0 ? 4 : 1;
            }
            case 1 ->
            {
                s.buffers[1].addLast(new int[] { REQ_EVENT, cons + 1 });
                s.trace.add("back stores req_event=" + Integer.toUnsignedString(cons + 1) + " (buffered)");
                s.consumerPc = 2;
            }
            case 2 ->
            {
                s.trace.add(variant.finalCheckFence ? "back full fence" : "back (no fence)");
                if (variant.recheck)
                {
                    s.consumerPc = 3;
                }
                else
                {
                    s.consumerSlept = true;
                    s.trace.add("back sleeps without re-checking");
                    s.consumerPc = 4;
                }
            }
            default ->
            {
                final int reqProd = s.load(1, REQ_PROD);
                final int work = backWork(cons, reqProd);
                s.consumerSlept = work == 0;
                s.trace.add("back re-loads req_prod=" + Integer.toUnsignedString(reqProd) + " -> work=" + work +
                    (s.consumerSlept ? ", sleeps" : ""));
                s.consumerPc = 4;
            }
        }
    }

    private boolean frontNotifies(final int oldProd, final int newProd, final int reqEvent)
    {
        scratch.putInt(SharedRingDescriptor.REQ_PROD_OFFSET, oldProd);
        scratch.putInt(SharedRingDescriptor.REQ_EVENT_OFFSET, reqEvent);
        front.attach(oldProd);
        front.reqProdPvt(newProd);
        return front.pushRequestsAndCheckNotify();
    }

    private int backWork(final int cons, final int reqProd)
    {
        scratch.putInt(SharedRingDescriptor.REQ_PROD_OFFSET, reqProd);
        back.attach(cons);
        return back.unconsumedRequests();
    }

    private static String name(final int variable)
    {
        return variable == REQ_PROD ? "req_prod" : "req_event";
    }

    /** One point of an execution: shared memory, two store buffers, two program counters and locals. */
    private static final class State
    {
        final int[] memory = new int[2];
        @SuppressWarnings("unchecked")
        final ArrayDeque<int[]>[] buffers = new ArrayDeque[] { new ArrayDeque<int[]>(), new ArrayDeque<int[]>() };
        final List<String> trace = new ArrayList<>();
        int producerPc;
        int consumerPc;
        int oldProd;
        boolean notified;
        boolean consumerSlept;

        boolean producerDone()
        {
            return producerPc == 4;
        }

        boolean consumerDone()
        {
            return consumerPc == 4;
        }

        /** TSO load: the newest buffered store of this thread to the variable, else memory. */
        int load(final int thread, final int variable)
        {
            final var it = buffers[thread].descendingIterator();
            while (it.hasNext())
            {
                final int[] store = it.next();
                if (store[0] == variable)
                {
                    return store[1];
                }
            }
            return memory[variable];
        }

        State copy()
        {
            final State s = new State();
            System.arraycopy(memory, 0, s.memory, 0, memory.length);
            for (int t = 0; t < 2; t++)
            {
                for (final int[] store : buffers[t])
                {
                    s.buffers[t].addLast(Arrays.copyOf(store, 2));
                }
            }
            s.trace.addAll(trace);
            s.producerPc = producerPc;
            s.consumerPc = consumerPc;
            s.oldProd = oldProd;
            s.notified = notified;
            s.consumerSlept = consumerSlept;
            return s;
        }
    }
}
