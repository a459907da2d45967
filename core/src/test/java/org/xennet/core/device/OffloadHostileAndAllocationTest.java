package org.xennet.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.core.netback.FrontendFault;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.BrokenReason;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.offload.OffloadFeatures;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.TestFrames;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.rings.netif.NetifExtraInfoFlyweight;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifTxFlags;
import org.xennet.rings.netif.NetifTxRequestFlyweight;

/**
 * Offload against hostile peers (a bad GSO extra from a frontend disconnects it, as Linux; an endless rx extra chain
 * breaks the netfront; a bad rx GSO extra drops only its packet) and the offload paths allocating nothing after
 * warm-up (GSO through both rings, software segmentation on either side, checksum completion).
 */
class OffloadHostileAndAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private Loopback loopback;
    private long received;
    private final RxPacketHandler counting = new RxPacketHandler()
    {
        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            received++;
        }
    };

    @AfterEach
    void tearDown()
    {
        if (loopback != null)
        {
            loopback.close();
        }
    }

    private void open(final int featuresOfA, final int featuresOfB)
    {
        loopback = new Loopback(2, 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, loopback.open());
        loopback.a().front().backendFeatures(featuresOfA);
        loopback.a().back().frontendOffload(featuresOfA);
        loopback.b().front().backendFeatures(featuresOfB);
        loopback.b().back().frontendOffload(featuresOfB);
        assertTrue(loopback.b().front().refillRx() > 0);
    }

    @ParameterizedTest(name = "gso type {0}, size {1}")
    @CsvSource({"1,0", "7,1448", "0,1448"})
    void shouldDisconnectAFrontendSendingAGsoExtraWithSizeZeroOrAnUnknownType(final int type, final int size)
    {
        open(OffloadFeatures.ALL, OffloadFeatures.ALL);
        final NetFront front = loopback.a().front();
        final FrontRing ring = front.txRing();
        final AtomicBuffer page = ring.buffer();
        final int prod = ring.reqProdPvt();
        new NetifTxRequestFlyweight().wrap(page, ring.requestOffset(prod)).gref(front.txRef(0)).offset(0)
            .flags(NetifTxFlags.EXTRA_INFO | NetifTxFlags.CSUM_BLANK).id(0).size(60);
        new NetifExtraInfoFlyweight().wrap(page, ring.requestOffset(prod + 1))
            .type(NetifConstants.EXTRA_TYPE_GSO).flags(0).gsoSize(size).gsoType(type).gsoFeatures(0);
        ring.reqProdPvt(prod + 2);
        ring.pushRequests();
        final NetBack back = loopback.a().back();
        assertEquals(NetBack.FAULTED, back.pollTx(16)); // Linux xenvif_set_skb_gso: fatal
        assertEquals(FrontendFault.TX_BAD_GSO, back.fault());
    }

    @Test
    void shouldBreakOnAnEndlessRxExtraChainAndDropOnlyAPacketWithABadGsoExtra()
    {
        open(OffloadFeatures.ALL, OffloadFeatures.ALL);
        final NetFront front = loopback.b().front();
        final BackRing ring = loopback.b().back().rxRing();
        final AtomicBuffer page = ring.buffer();
        final NetifRxResponseFlyweight response = new NetifRxResponseFlyweight();
        final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight();
        final int length = 154; // the bytes are never looked at: a bad GSO extra drops the packet first

        // 1: a GSO extra with size 0 (Linux netfront: the packet is dropped, the device goes on)
        final int id0 = new NetifRxRequestFlyweight().wrap(page, ring.requestOffset(0)).id();
        response.wrap(page, ring.responseOffset(0)).id(id0).offset(0)
            .flags(NetifRxFlags.EXTRA_INFO | NetifRxFlags.CSUM_BLANK).status(length);
        extra.wrap(page, ring.responseOffset(1)).type(NetifConstants.EXTRA_TYPE_GSO).flags(0).gsoSize(0)
            .gsoType(NetifConstants.GSO_TYPE_TCPV4).gsoFeatures(0);
        ring.reqCons(2);
        ring.rspProdPvt(2);
        ring.pushResponses();
        assertEquals(1, front.pollRx(counting, 16));
        assertEquals(0, received);
        assertEquals(1, front.rxOffloadErrors());
        assertEquals(NetFront.State.CONNECTED, front.state());

        // 2: a first response promising extras, then more extra slots than there are types
        final int id2 = new NetifRxRequestFlyweight().wrap(page, ring.requestOffset(2)).id();
        response.wrap(page, ring.responseOffset(2)).id(id2).offset(0).flags(NetifRxFlags.EXTRA_INFO).status(60);
        for (int i = 3; i < 3 + NetifConstants.EXTRA_TYPE_MAX; i++)
        {
            extra.wrap(page, ring.responseOffset(i)).type(NetifConstants.EXTRA_TYPE_HASH)
                .flags(NetifConstants.EXTRA_FLAG_MORE);
        }
        ring.reqCons(3 + NetifConstants.EXTRA_TYPE_MAX);
        ring.rspProdPvt(3 + NetifConstants.EXTRA_TYPE_MAX);
        ring.pushResponses();
        assertEquals(NetFrontResult.BROKEN, front.pollRx(counting, 16));
        assertEquals(BrokenReason.RX_BAD_EXTRA, front.brokenReason());
    }

    @Test
    void shouldNotAllocateOnTheOffloadPaths()
    {
        open(OffloadFeatures.ALL, OffloadFeatures.SG); // B's frontend: no GSO, no IPv6 csum: B's netback does both
        final NetFront a = loopback.a().front();
        final NetFront b = loopback.b().front();
        final NetBack backA = loopback.a().back();
        final byte[] big = TestFrames.tcp(false, 20_000, 3, true, 0x18);
        final byte[] v6 = TestFrames.tcp(true, 1000, 4, true, 0x18);
        final int bigOffset = Loopback.appOffset(0);
        a.memory().buffer().putBytes(bigOffset, big);
        final UnsafeBuffer v6Buffer = new UnsafeBuffer(v6);
        final OffloadInfo gso = new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV4, 1448).partialCsum(34, 16);
        final OffloadInfo blank6 = new OffloadInfo().partialCsum(54, 16);
        final TxClaim claim = new TxClaim();
        rounds(a, b, backA, big, bigOffset, gso, v6Buffer, v6, blank6, claim, 3000); // warm-up: JIT
        // Steady state allocates nothing: a window with a one-off (a late JIT compile under load) is measured again;
        // an allocation per packet would show in every window.
        long allocated = Long.MAX_VALUE;
        for (int window = 0; window < 5 && allocated != 0; window++)
        {
            final long receivedBefore = received;
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            rounds(a, b, backA, big, bigOffset, gso, v6Buffer, v6, blank6, claim, 300);
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(received - receivedBefore >= 300 * 14, "received " + (received - receivedBefore));
        }
        assertEquals(0, allocated, "bytes allocated on the offload paths");
        assertTrue(backA.txGsoPackets() >= 3300 && loopback.b().back().rxSegmentedFrames() >= 3300);
    }

    private void rounds(final NetFront a, final NetFront b, final NetBack backA, final byte[] big, final int bigOffset,
        final OffloadInfo gso, final UnsafeBuffer v6Buffer, final byte[] v6, final OffloadInfo blank6,
        final TxClaim claim, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            assertTrue(a.transmit(bigOffset, big.length, gso) > 0);           // GSO on A's tx ring
            assertTrue(a.offer(v6Buffer, 0, v6.length, blank6, claim) > 0);   // IPv6 blank checksum
            for (int j = 0; j < 8; j++)
            {
                b.refillRx();
                backA.pollTx(64);                                              // B's netback segments the GSO frame
                b.pollRx(counting, 256);
                a.pollTx(null, 256);
            }
        }
    }
}
