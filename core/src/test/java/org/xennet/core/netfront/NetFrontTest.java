package org.xennet.core.netfront;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;
import org.xennet.rings.SharedRingDescriptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetFront against a real NetBack (single thread): transmit/claim/offer, rx refill and reassembly, the clean
 * failure of a v1 table with guest pages above 2^32 (nothing changes, not a byte), and event thresholds.
 */
class NetFrontTest
{
    /** Pages 0..3 have frames just below 2^32; pages 4.. lie above (v1 cannot grant them). */
    private static final long STRADDLING_FIRST_FRAME = 0x1_0000_0000L - 4;
    private static final int PAGES = 64;
    private static final int RX_FIRST_PAGE = 8;
    private static final int RX_BUFFERS = 16;
    private static final int TX_FIRST_PAGE = 32;
    private static final int TX_BUFFERS = 4;

    private final PacketSinks.Counting sink = new PacketSinks.Counting();

    private NetDevice device(final int grantVersion, final long firstFrame)
    {
        final GuestDomain guest = GuestDomain.create(1, grantVersion, 2 + 512, PAGES, firstFrame, 2, 0x1000);
        final NetFrontConfig config = new NetFrontConfig()
            .backendDomid(0)
            .rxBufferFirstPage(RX_FIRST_PAGE)
            .rxBufferCount(RX_BUFFERS)
            .txBufferFirstPage(TX_FIRST_PAGE)
            .txBufferCount(TX_BUFFERS)
            .txBufferPages(3);
        final NetDevice device = new NetDevice(guest, config, sink);
        assertEquals(NetFrontResult.OK, device.open());
        return device;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldTransmitSingleAndMultiPagePacketsAndCompleteEachOnce(final int grantVersion)
    {
        final NetDevice device = device(grantVersion, 0x2000);
        final NetFront front = device.front();
        final List<String> completions = new ArrayList<>();
        final TxCompletionHandler handler =
            (offset, length, status) -> completions.add(offset + "/" + length + "/" + status);

        assertEquals(1, front.transmit(0, 60));
        assertEquals(2, front.transmit(4096 - 10, 100)); // crosses a page: two slots
        assertEquals(3, front.transmit(2 * 4096, 9000));
        assertEquals(3, device.back().pollTx(100));
        assertEquals(3, front.pollTx(handler, 256));
        assertEquals(List.of("0/60/0", "4086/100/0", "8192/9000/0"), completions);
        assertEquals(3, sink.packets());
        assertEquals(9160, sink.bytes());
        assertEquals(256, front.txFreeIds());
        assertEquals(0, front.pollTx(handler, 256));
        device.close();
        assertEquals(0, device.guest().allocator().used());
    }

    @Test
    void shouldClaimCommitAndRecycleTxBuffers()
    {
        final NetDevice device = device(1, 0x2000);
        final NetFront front = device.front();
        final TxClaim claim = new TxClaim();
        for (int i = 0; i < TX_BUFFERS; i++)
        {
            assertEquals(5000, front.tryClaim(5000, claim));
            claim.buffer().setMemory(claim.offset(), 5000, (byte)i);
            assertEquals(2, front.commit(claim, 5000));
        }
        assertEquals(NetFrontResult.NO_BUFFERS, front.tryClaim(100, claim));
        assertEquals(TX_BUFFERS, device.back().pollTx(100));
        assertEquals(TX_BUFFERS, front.pollTx(null, 256));
        assertEquals(TX_BUFFERS, front.txBuffersAvailable());
        final UnsafeBuffer source = new UnsafeBuffer(new byte[70]);
        assertEquals(1, front.offer(source, 0, 70, claim));
        assertFalse(claim.isClaimed());
        assertEquals(10, front.tryClaim(10, claim));
        front.abort(claim);
        assertEquals(TX_BUFFERS - 1, front.txBuffersAvailable());
        device.close();
    }

    @Test
    void shouldReturnRingFullWithoutSideEffectsWhenIdsRunOut()
    {
        final NetDevice device = device(1, 0x2000);
        final NetFront front = device.front();
        for (int i = 0; i < 256; i++)
        {
            assertEquals(1, front.transmit(0, 60));
        }
        final int reqProdPvt = front.txRing().reqProdPvt();
        assertEquals(NetFrontResult.RING_FULL, front.transmit(0, 60));
        assertEquals(reqProdPvt, front.txRing().reqProdPvt());
        device.close();
    }

    @Test
    void shouldReceiveSingleAndMultiFragmentPacketsIntoPostedBuffers()
    {
        final NetDevice device = device(1, 0x2000);
        final NetFront front = device.front();
        assertEquals(RX_BUFFERS, front.refillRx());
        assertEquals(0, front.refillRx()); // pool empty
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[9000]);
        for (int i = 0; i < 9000; i++)
        {
            packet.putByte(i, (byte)(i * 7));
        }
        assertEquals(PacketSink.ACCEPTED, device.back().deliver(packet, 0, 100));
        assertEquals(PacketSink.ACCEPTED, device.back().deliver(packet, 0, 9000));
        final List<byte[]> received = new ArrayList<>();
        assertEquals(2, front.pollRx((buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
        }, 256));
        assertEquals(2, received.size());
        final byte[] expected = new byte[9000];
        packet.getBytes(0, expected);
        assertArrayEquals(java.util.Arrays.copyOf(expected, 100), received.get(0));
        assertArrayEquals(expected, received.get(1));
        assertEquals(4, front.rxPoolAvailable()); // 1 + 3 pages used and recycled, 12 still posted
        assertEquals(4, front.refillRx());
        device.close();
        assertEquals(0, device.guest().allocator().used());
    }

    @Test
    void shouldBackPressureDeliveryUntilEnoughBuffersArePosted()
    {
        final NetDevice device = device(1, 0x2000);
        final NetFront front = device.front();
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[9000]);
        assertEquals(PacketSink.BACK_PRESSURED, device.back().deliver(packet, 0, 9000)); // nothing posted
        assertEquals(RX_BUFFERS, front.refillRx());
        assertEquals(PacketSink.ACCEPTED, device.back().deliver(packet, 0, 9000));
        device.close();
    }

    @Test
    void shouldFailEveryTransmitAndRefillAboveV1ReachAndLeaveEveryByteAsBefore()
    {
        final NetDevice device = device(1, STRADDLING_FIRST_FRAME);
        final NetFront front = device.front();
        final TxClaim claim = new TxClaim();
        // Every pool page lies above 2^32: the first refill and claim take them all out of the pools (counted)
        // and say so; nothing is granted or published.
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.refillRx());
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.tryClaim(5000, claim));
        assertEquals(RX_BUFFERS, front.rxPoolUngrantable());
        assertEquals(TX_BUFFERS, front.txPoolUngrantable());
        final Snapshot before = new Snapshot(device);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[9000]);

        for (int page = 4; page < PAGES - 3; page++)
        {
            assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.transmit(page * 4096, 60), "page " + page);
            assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.transmit(page * 4096 + 100, 9000), "page " + page);
        }
        // the scatter-gather gap of iPXE HEAD: early fragments granted below 2^32, a later one above
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.transmit(3 * 4096 + 4000, 200));
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.transmit(2 * 4096, 3 * 4096));
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.transmit(1, 65535 - 1));
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.tryClaim(5000, claim));
        assertFalse(claim.isClaimed());
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.offer(source, 0, 9000, claim));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.refillRx());
        }
        assertEquals(RX_BUFFERS, front.rxErrors()); // one per page taken out, not one per refill
        assertEquals(0, front.pollTx(null, 256));
        assertEquals(0, front.pollRx(null, 256));
        assertEquals(0, device.back().pollTx(256));

        before.assertUnchanged(new Snapshot(device));
        assertEquals(NetFront.State.CONNECTED, front.state());

        assertEquals(2, front.transmit(4096 + 4000, 200)); // below 2^32: pages 1 and 2
        assertEquals(1, device.back().pollTx(256));
        assertEquals(1, front.pollTx((o, l, s) -> assertEquals(0, s), 256));
        assertEquals(200, sink.bytes());
        device.close();
        assertEquals(0, device.guest().allocator().used());
    }

    @Test
    void shouldNotifyOnlyWhenTheBackendArmedItsEvent()
    {
        final NetDevice device = device(1, 0x2000);
        final NetFront front = device.front();
        final NetBack back = device.back();
        // SHARED_RING_INIT sets req_event = 1: the first request notifies, the second (before the backend
        // re-armed) does not.
        front.transmit(0, 60);
        assertEquals(1, ((org.xennet.core.event.LocalEventChannel)front.txEvent()).notificationsSent());
        front.transmit(0, 60);
        assertEquals(1, ((org.xennet.core.event.LocalEventChannel)front.txEvent()).notificationsSent());
        assertTrue(back.txEvent().consume());
        assertEquals(2, back.pollTx(256)); // ends with the final check: req_event = req_cons + 1
        assertEquals(1, ((org.xennet.core.event.LocalEventChannel)back.txEvent()).notificationsSent()); // rsp_event = 1 asked for the first response only
        front.transmit(0, 60);
        assertEquals(2, ((org.xennet.core.event.LocalEventChannel)front.txEvent()).notificationsSent());
        // the frontend has not re-armed rsp_event: the backend's next responses do not notify
        assertEquals(1, back.pollTx(256));
        assertEquals(1, ((org.xennet.core.event.LocalEventChannel)back.txEvent()).notificationsSent());
        assertEquals(3, front.pollTx(null, 256)); // final check re-arms rsp_event
        front.transmit(0, 60);
        assertEquals(1, back.pollTx(256));
        assertEquals(2, ((org.xennet.core.event.LocalEventChannel)back.txEvent()).notificationsSent());
        device.close();
    }

    /** Grant frames, allocator, free-id rings, pools, ring indices and ring pages, byte for byte. */
    private static final class Snapshot
    {
        final byte[] grantFrames;
        final byte[] txRingPage;
        final byte[] rxRingPage;
        final long[] counters;

        Snapshot(final NetDevice device)
        {
            final NetFront front = device.front();
            grantFrames = bytes(device.guest().grantTable().frames(), device.guest().grantTable().frames().capacity());
            txRingPage = bytes(front.txRing().buffer(), SharedRingDescriptor.PAGE_LENGTH);
            rxRingPage = bytes(front.rxRing().buffer(), SharedRingDescriptor.PAGE_LENGTH);
            counters = new long[]{
                device.guest().allocator().used(), front.txFreeIdIndices(), front.rxFreeIdIndices(),
                front.rxPoolIndices(), front.txBuffersAvailable(), front.txRing().reqProdPvt(),
                front.txRing().rspCons(), front.rxRing().reqProdPvt(), front.rxRing().rspCons(),
                ((org.xennet.core.event.LocalEventChannel)front.txEvent()).notificationsSent(), ((org.xennet.core.event.LocalEventChannel)front.rxEvent()).notificationsSent(), front.txPackets(),
            };
        }

        private static byte[] bytes(final org.agrona.DirectBuffer buffer, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(0, copy);
            return copy;
        }

        void assertUnchanged(final Snapshot after)
        {
            assertArrayEquals(grantFrames, after.grantFrames, "grant frames");
            assertArrayEquals(txRingPage, after.txRingPage, "tx ring page");
            assertArrayEquals(rxRingPage, after.rxRingPage, "rx ring page");
            assertArrayEquals(counters, after.counters, "allocator, id rings, pools, ring indices, events");
        }
    }
}
