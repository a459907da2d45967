package org.xennet.core.device;

import java.util.SplittableRandom;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random garbage from a hostile peer, with Agrona bounds checks on: the frontend and the backend never
 * throw, keep their bookkeeping consistent, and once they stop trusting the peer they say why. The failing seed is
 * part of every assertion message.
 */
class HostilePeerFuzzTest
{
    private static final int SEEDS = 300;

    @Test
    void shouldSurviveRandomBackendResponses()
    {
        final long base = Long.getLong("xennet.fuzz.seed", System.nanoTime());
        for (int s = 0; s < SEEDS; s++)
        {
            final long seed = base + s;
            try
            {
                fuzzBackend(seed);
            }
            catch (final Throwable ex)
            {
                throw new AssertionError("seed=" + seed + " (rerun with -Dxennet.fuzz.seed=" + seed + ")", ex);
            }
        }
    }

    @Test
    void shouldSurviveRandomFrontendRequests()
    {
        final long base = Long.getLong("xennet.fuzz.seed", System.nanoTime());
        for (int s = 0; s < SEEDS; s++)
        {
            final long seed = base + s;
            try
            {
                fuzzFrontend(seed);
            }
            catch (final Throwable ex)
            {
                throw new AssertionError("seed=" + seed + " (rerun with -Dxennet.fuzz.seed=" + seed + ")", ex);
            }
        }
    }

    private static void fuzzBackend(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final GuestDomain guest = GuestDomain.create(1, 1 + random.nextInt(2), 2 + 512, 64, 0x2000, 2, 0x1000);
        final NetFront front = new NetFront(
            new NetFrontConfig().rxBufferFirstPage(0).rxBufferCount(32).txBufferFirstPage(32).txBufferCount(8),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        assertEquals(NetFrontResult.OK, front.open());
        final int openRefs = guest.allocator().used();
        front.refillRx();
        for (int i = random.nextInt(20); i > 0; i--)
        {
            front.transmit(random.nextInt(60 * 4096 - 9000), 60 + random.nextInt(9000));
        }
        final NetifTxResponseFlyweight tx = new NetifTxResponseFlyweight();
        final NetifRxResponseFlyweight rx = new NetifRxResponseFlyweight();
        final AtomicBuffer txPage = front.txRing().buffer();
        final AtomicBuffer rxPage = front.rxRing().buffer();
        int txProd = 0;
        int rxProd = 0;
        for (int round = 0; round < 40 && front.state() == NetFront.State.CONNECTED; round++)
        {
            for (int i = random.nextInt(8); i > 0; i--)
            {
                tx.wrap(txPage, front.txRing().responseOffset(txProd++))
                    .id(small(random, 40)).status(random.nextInt(5) - 3);
                rx.wrap(rxPage, front.rxRing().responseOffset(rxProd++))
                    .id(small(random, 40)).offset(mostly(random, 0, 4200)).flags(random.nextInt(16))
                    .status(random.nextInt(10) == 0 ? random.nextInt(65536) - 32768 : random.nextInt(4097));
            }
            txPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, racing(random, txProd));
            rxPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, racing(random, rxProd));
            final int polledTx = front.pollTx(null, 1 + random.nextInt(256));
            final int polledRx = front.pollRx((b, o, l) -> b.getByte(o + l - 1), 1 + random.nextInt(256));
            front.refillRx();
            front.transmit(random.nextInt(4096), 60 + random.nextInt(1000));
            assertTrue(polledTx >= 0 || polledTx == NetFrontResult.BROKEN, "pollTx " + polledTx);
            assertTrue(polledRx >= 0 || polledRx == NetFrontResult.BROKEN, "pollRx " + polledRx);
            assertEquals(front.state() == NetFront.State.BROKEN,
                front.brokenReason() != org.xennet.core.netfront.BrokenReason.NONE, "reason iff broken");
            assertTrue(front.txFreeIds() <= 256 && front.rxFreeIds() <= 256, "id rings within capacity");
            assertEquals(openRefs, guest.allocator().used(), "refs stay allocated while open");
        }
        front.close();
        assertEquals(front.deferredGrants(), guest.allocator().used(), "only deferred refs remain after close");
    }

    private static void fuzzFrontend(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final GuestDomain guest = GuestDomain.create(1, 1 + random.nextInt(2), 2 + 512 + 4, 64, 0x2000, 2, 0x1000);
        final NetFront front = new NetFront(
            new NetFrontConfig().rxBufferFirstPage(0).rxBufferCount(32).txBufferCount(0),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        assertEquals(NetFrontResult.OK, front.open());
        final PacketSinks.Counting sink = new PacketSinks.Counting();
        final NetBack back = new NetBack(0, guest.grantTable(), guest.memory(), sink);
        assertEquals(0, back.connect(1, front.txRingRef(), front.rxRingRef(), guest.ringMemory(),
            org.xennet.core.event.LocalEventChannel.bindTo((org.xennet.core.event.LocalEventChannel)front.txEvent(), 1),
            org.xennet.core.event.LocalEventChannel.bindTo((org.xennet.core.event.LocalEventChannel)front.rxEvent(), 2)));
        final int[] refs = new int[4];
        for (int i = 0; i < refs.length; i++)
        {
            refs[i] = guest.allocator().allocate();
            guest.grantTable().permitAccess(refs[i], 0, guest.memory().frame(40 + i), i == 3);
        }
        final FrontRing txRing = front.txRing();
        final FrontRing rxRing = front.rxRing();
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        final NetifRxRequestFlyweight rxRequest = new NetifRxRequestFlyweight();
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[20000]);
        for (int round = 0; round < 40 && back.state() == NetBack.State.CONNECTED; round++)
        {
            for (int i = random.nextInt(8); i > 0; i--)
            {
                final int gref = random.nextInt(4) == 0 ? random.nextInt() : refs[random.nextInt(refs.length)];
                request.wrap(txRing.buffer(), txRing.requestOffset(txRing.reqProdPvt()))
                    .gref(gref).offset(mostly(random, random.nextInt(64), 4200)).flags(random.nextInt(16))
                    .id(random.nextInt(65536)).size(mostly(random, random.nextInt(4000), 9000));
                txRing.reqProdPvt(txRing.reqProdPvt() + 1);
                final int rxGref = random.nextInt(4) == 0 ? random.nextInt() : refs[random.nextInt(4)];
                rxRequest.wrap(rxRing.buffer(), rxRing.requestOffset(rxRing.reqProdPvt()))
                    .id(random.nextInt(65536)).gref(rxGref);
                rxRing.reqProdPvt(rxRing.reqProdPvt() + 1);
            }
            txRing.buffer().putIntRelease(SharedRingDescriptor.REQ_PROD_OFFSET, racing(random, txRing.reqProdPvt()));
            rxRing.buffer().putIntRelease(SharedRingDescriptor.REQ_PROD_OFFSET, racing(random, rxRing.reqProdPvt()));
            final int polled = back.pollTx(1 + random.nextInt(64));
            final int delivered = back.deliver(packet, 0, 1 + random.nextInt(20000));
            assertTrue(polled >= 0 || polled == NetBack.FAULTED, "pollTx " + polled);
            assertTrue(delivered == PacketSink.ACCEPTED || delivered == PacketSink.DROPPED ||
                delivered == PacketSink.BACK_PRESSURED, "deliver " + delivered);
            assertEquals(back.state() == NetBack.State.FAULTED,
                back.fault() != org.xennet.core.netback.FrontendFault.NONE, "fault iff faulted");
        }
        back.disconnect();
        front.close();
    }

    /** Usually the honest producer index, sometimes a random one (racing ahead or going backwards). */
    private static int racing(final SplittableRandom random, final int honest)
    {
        return random.nextInt(50) == 0 ? random.nextInt() : honest;
    }

    /** Nine times in ten {@code usual}, else a {@link #small} value up to {@code bound} or an edge. */
    private static int mostly(final SplittableRandom random, final int usual, final int bound)
    {
        return random.nextInt(10) == 0 ? small(random, bound) : usual;
    }

    /** Mostly small in-range values, sometimes the edges of the u16 range. */
    private static int small(final SplittableRandom random, final int bound)
    {
        final int pick = random.nextInt(20);
        return pick == 0 ? 0xFFFF : pick == 1 ? bound : random.nextInt(bound);
    }
}
