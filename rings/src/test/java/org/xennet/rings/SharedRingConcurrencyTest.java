package org.xennet.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.BufferUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * Two threads move sequence-numbered requests through a 256-slot TX ring and back as responses, sleeping on
 * simulated event channels whenever the final checks find no work: nothing may be lost, duplicated or reordered,
 * and no wakeup may be lost (a lost one shows as a wait that times out).
 */
class SharedRingConcurrencyTest
{
    private static final long MESSAGES = Long.getLong("rings.stress.messages", 10_000_000L);
    private static final long WAKEUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));
    private final FrontRing front = NetifTxRing.front(page);
    private final BackRing back = NetifTxRing.back(page);
    private final Event backEvent = new Event();
    private final Event frontEvent = new Event();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Test
    @Timeout(value = 120)
    void shouldMoveRequestsAndResponsesWithoutLossDuplicationOrReorder() throws InterruptedException
    {
        front.sharedRingInit();
        front.attach(0);
        back.attach(0);
        final Thread backend = new Thread(this::runBackend, "backend");
        backend.start();
        try
        {
            runFrontend();
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
        backend.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(failure.get(), () -> "failed: " + failure.get() + " front=" + front + " back=" + back);
        assertEquals(MESSAGES, Integer.toUnsignedLong(front.rspCons()));
        assertEquals(MESSAGES, Integer.toUnsignedLong(back.reqCons()));
    }

    private void runFrontend()
    {
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
        long sent = 0;
        long received = 0;
        while (received < MESSAGES && null == failure.get())
        {
            boolean progress = false;
            while (sent < MESSAGES && front.freeRequests() > 0)
            {
                request.wrap(page, front.requestOffset(front.reqProdPvt()))
                    .gref((int)sent).offset(0).flags(0).id((int)sent & 0xFFFF).size(60);
                front.reqProdPvt(front.reqProdPvt() + 1);
                sent++;
                progress = true;
            }
            if (progress && front.pushRequestsAndCheckNotify())
            {
                backEvent.signal();
            }
            final int rspProd = front.rspProdAcquire();
            check(!front.responseProdOverflow(rspProd), "rsp_prod overflow");
            while (front.rspCons() != rspProd)
            {
                response.wrap(page, front.responseOffset(front.rspCons()));
                final int id = response.id();
                final int status = response.status();
                check(id == ((int)received & 0xFFFF), "response out of order");
                check(status == NetifResponseStatus.OKAY, "bad status");
                front.rspCons(front.rspCons() + 1);
                received++;
                progress = true;
            }
            if (!progress && front.finalCheckForResponses() == 0)
            {
                frontEvent.await("frontend waits for responses");
            }
        }
    }

    private void runBackend()
    {
        try
        {
            final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
            final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
            long expected = 0;
            while (expected < MESSAGES && null == failure.get())
            {
                final int reqProd = back.reqProdAcquire();
                check(!back.requestProdOverflow(reqProd), "req_prod overflow");
                boolean progress = false;
                while (back.reqCons() != reqProd && !back.requestConsOverflow(back.reqCons()))
                {
                    request.wrap(page, back.requestOffset(back.reqCons()));
                    final int gref = request.gref();
                    final int id = request.id();
                    check(gref == (int)expected && id == ((int)expected & 0xFFFF), "request lost or duplicated");
                    back.reqCons(back.reqCons() + 1);
                    response.wrap(page, back.responseOffset(back.rspProdPvt())).id(id).status(NetifResponseStatus.OKAY);
                    back.rspProdPvt(back.rspProdPvt() + 1);
                    expected++;
                    progress = true;
                }
                if (progress && back.pushResponsesAndCheckNotify())
                {
                    frontEvent.signal();
                }
                if (!progress && back.finalCheckForRequests() == 0)
                {
                    backEvent.await("backend waits for requests");
                }
            }
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }

    /** A simulated event channel: a pending bit the waiter clears; waits back off instead of spinning. */
    private final class Event
    {
        private final AtomicBoolean pending = new AtomicBoolean();
        private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);

        void signal()
        {
            pending.set(true);
        }

        void await(final String who)
        {
            final long deadline = System.nanoTime() + WAKEUP_TIMEOUT_NS;
            idle.reset();
            while (!pending.getAndSet(false))
            {
                if (null != failure.get())
                {
                    return;
                }
                if (System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("lost wakeup: " + who + " front=" + front + " back=" + back);
                }
                idle.idle();
            }
        }
    }
}
