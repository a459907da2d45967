package org.xennet.core.netfront;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.rings.BackRing;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifRxRing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rx producer ({@code refillRx}) and the rx consumer ({@code pollRx}) both count rx errors, on their own
 * threads, as the threading model allows: refill counts buffers it could not grant, pollRx counts ERROR
 * responses. Every error is counted exactly once, however the two threads interleave (a shared plain
 * {@code long} loses updates here).
 */
class NetFrontCounterStressTest
{
    private static final int RX_IDS = 16;
    private static final long GRANT_FAILURES = 20_000;

    @Test
    void shouldCountEveryRxErrorOnceWhenRefillAndPollRxRunOnDifferentThreads() throws InterruptedException
    {
        final GuestDomain guest = GuestDomain.create(1, 1, 2 + 1 + RX_IDS, RX_IDS, 0x2000, 2, 0x1000);
        final NetFront front = new NetFront(
            new NetFrontConfig().txIds(1).rxIds(RX_IDS).rxBufferFirstPage(0).rxBufferCount(RX_IDS)
                .txBufferCount(0),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        assertEquals(NetFrontResult.OK, front.open());

        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicBoolean refillDone = new AtomicBoolean();
        final AtomicBoolean backendDone = new AtomicBoolean();
        final AtomicLong refillFailures = new AtomicLong();
        final AtomicLong errorResponses = new AtomicLong();
        final AtomicLong polled = new AtomicLong();

        final Thread refill = new Thread(() -> refillWithFailures(front, guest, failure, refillFailures, refillDone));
        final Thread backend = new Thread(() -> answerEveryRequestWithError(
            front, refillDone, errorResponses, backendDone));
        final Thread poll = new Thread(() ->
        {
            while (!(backendDone.get() && polled.get() == errorResponses.get()))
            {
                final int rc = front.pollRx(null, 64);
                if (rc < 0)
                {
                    failure.compareAndSet(null, "pollRx: " + NetFrontResult.resultString(rc));
                    return;
                }
                polled.addAndGet(rc);
                if (rc == 0)
                {
                    Thread.yield();
                }
            }
        });
        refill.start();
        backend.start();
        poll.start();
        refill.join(120_000);
        backend.join(120_000);
        poll.join(120_000);

        assertNull(failure.get());
        assertEquals(GRANT_FAILURES, refillFailures.get());
        assertEquals(errorResponses.get(), polled.get());
        assertEquals(refillFailures.get() + errorResponses.get(), front.rxErrors());
        front.close();
    }

    /**
     * Makes every free rx id's grant entry look granted, so the next refill fails its first grant (and counts one
     * rx error), then clears them and refills for real. Only this thread grants rx refs, and pollRx ends a grant
     * before it frees the id, so an invalid entry always belongs to a free id.
     */
    private static void refillWithFailures(
        final NetFront front,
        final GuestDomain guest,
        final AtomicReference<String> failure,
        final AtomicLong refillFailures,
        final AtomicBoolean refillDone)
    {
        final AtomicBuffer frames = guest.grantTable().frames();
        final boolean[] poisoned = new boolean[RX_IDS];
        try
        {
            while (refillFailures.get() < GRANT_FAILURES && failure.get() == null)
            {
                if (front.rxFreeIds() == 0)
                {
                    Thread.yield(); // 2 cores shared with the other two threads: let them run
                    continue;
                }
                for (int id = 0; id < RX_IDS; id++)
                {
                    final int header = GrantEntryV1Descriptor.entryOffset(front.rxRef(id)) +
                        GrantEntryV1Descriptor.HEADER_WORD_OFFSET;
                    poisoned[id] = (frames.getIntVolatile(header) & GrantFlags.TYPE_MASK) == GrantFlags.INVALID;
                    if (poisoned[id])
                    {
                        frames.putIntVolatile(header, GrantFlags.PERMIT_ACCESS);
                    }
                }
                final int failed = front.refillRx();
                if (failed >= 0)
                {
                    failure.compareAndSet(null, "refill should have failed: " + failed);
                    return;
                }
                refillFailures.incrementAndGet();
                for (int id = 0; id < RX_IDS; id++)
                {
                    if (poisoned[id])
                    {
                        frames.putIntVolatile(GrantEntryV1Descriptor.entryOffset(front.rxRef(id)) +
                            GrantEntryV1Descriptor.HEADER_WORD_OFFSET, GrantFlags.INVALID);
                    }
                }
                final int posted = front.refillRx();
                if (posted < 0)
                {
                    failure.compareAndSet(null, "refill failed: " + NetFrontResult.resultString(posted));
                    return;
                }
            }
        }
        finally
        {
            refillDone.set(true);
        }
    }

    private static void answerEveryRequestWithError(
        final NetFront front, final AtomicBoolean refillDone, final AtomicLong errorResponses,
        final AtomicBoolean backendDone)
    {
        final AtomicBuffer page = front.rxRing().buffer();
        final BackRing ring = NetifRxRing.back(page);
        ring.init();
        final NetifRxRequestFlyweight request = new NetifRxRequestFlyweight();
        final NetifRxResponseFlyweight response = new NetifRxResponseFlyweight();
        try
        {
            while (true)
            {
                final boolean last = refillDone.get(); // read before the ring: nothing is posted after it
                final int reqProd = ring.reqProdAcquire();
                int cons = ring.reqCons();
                int prod = ring.rspProdPvt();
                while (cons != reqProd)
                {
                    final int id = request.wrap(page, ring.requestOffset(cons++)).id();
                    response.wrap(page, ring.responseOffset(prod++))
                        .id(id).offset(0).flags(0).status(NetifResponseStatus.ERROR);
                    errorResponses.incrementAndGet();
                }
                if (cons != ring.reqCons())
                {
                    ring.reqCons(cons);
                    ring.rspProdPvt(prod);
                    ring.pushResponses();
                }
                else if (last)
                {
                    return;
                }
                else
                {
                    Thread.yield();
                }
            }
        }
        finally
        {
            backendDone.set(true);
        }
    }
}
