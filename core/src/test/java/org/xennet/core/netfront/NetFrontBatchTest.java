package org.xennet.core.netfront;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;
import org.xennet.rings.SharedRingDescriptor;

/**
 * Batched publish (netfront's {@code xmit_more}, netback's per-step rx push): requests and responses written with
 * "more" stay invisible to the peer until the batch ends, the batch is pushed once, and the peer is notified exactly
 * when its event index lies in the batch, as {@code RING_PUSH_*_AND_CHECK_NOTIFY} decides.
 */
class NetFrontBatchTest
{
    private final PacketSinks.Counting sink = new PacketSinks.Counting();

    private NetDevice device()
    {
        final GuestDomain guest = GuestDomain.create(1, 1, 2 + 512, 64, 0x2000, 2, 0x1000);
        final NetFrontConfig config = new NetFrontConfig()
            .backendDomid(0)
            .rxBufferFirstPage(8)
            .rxBufferCount(16)
            .txBufferFirstPage(32)
            .txBufferCount(4)
            .txBufferPages(3);
        final NetDevice device = new NetDevice(guest, config, sink);
        assertEquals(NetFrontResult.OK, device.open());
        return device;
    }

    @Test
    void shouldPublishAnXmitMoreBatchWithOnePushAndOneNotification()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        final long sentBefore = front.txEvent().notificationsSent();
        assertEquals(1, front.transmit(0, 60, true));
        assertEquals(2, front.transmit(4096 - 10, 100, true));
        assertEquals(0, reqProd(front), "xmit_more: nothing is visible to the backend yet");
        assertEquals(0, device.back().pollTx(100));
        assertEquals(1, front.transmit(8192, 60, false));
        assertEquals(4, reqProd(front));
        assertEquals(1, front.txEvent().notificationsSent() - sentBefore, "req_event 1 lies in the batch: once");
        assertEquals(3, device.back().pollTx(100));
        assertEquals(3, front.pollTx(null, 256));
        assertEquals(3, sink.packets());
        device.close();
    }

    @Test
    void shouldFlushAPendingBatchAndDoNothingWhenNoneIsPending()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        assertEquals(0, front.flushTx());
        assertEquals(1, front.transmit(0, 60, true));
        assertEquals(1, front.transmit(0, 60, true));
        assertEquals(2, front.flushTx());
        assertEquals(2, reqProd(front));
        assertEquals(0, front.flushTx());
        device.close();
    }

    @Test
    void shouldPushThePendingBatchWhenIdsRunOut()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        for (int i = 0; i < 256; i++)
        {
            assertEquals(1, front.transmit(0, 60, true));
        }
        assertEquals(0, reqProd(front));
        assertEquals(NetFrontResult.RING_FULL, front.transmit(0, 60, true));
        assertEquals(256, reqProd(front), "a full batch is published, or the backend could never free an id");
        device.close();
    }

    @Test
    void shouldPushThePendingBatchWhenATransmitFails()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        assertEquals(1, front.transmit(0, 60, true));
        assertEquals(NetFrontResult.BAD_ARGUMENT, front.transmit(0, 0, true));
        assertEquals(1, reqProd(front), "the batch before a failed transmit is published, not stranded");
        device.close();
    }

    @Test
    void shouldNotPublishAPendingBatchAfterClose()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        assertEquals(1, front.transmit(0, 60, true));
        device.close();
        assertEquals(0, front.flushTx());
        assertEquals(0, reqProd(front));
    }

    @Test
    void shouldPushRxResponsesOncePerBatchAndAtBackPressure()
    {
        final NetDevice device = device();
        final NetFront front = device.front();
        final NetBack back = device.back();
        assertEquals(16, front.refillRx());
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[100]);
        final long sentBefore = back.rxEvent().notificationsSent();
        assertEquals(0, front.rxRing().finalCheckForResponses()); // arm rsp_event = 1
        for (int i = 0; i < 15; i++)
        {
            assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, true));
        }
        assertEquals(0, front.rxRing().rspProdAcquire(), "more: responses stay unpushed");
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, true));
        assertEquals(PacketSink.BACK_PRESSURED, back.deliver(packet, 0, 100, true));
        assertEquals(16, front.rxRing().rspProdAcquire(), "back-pressure pushes what is pending");
        assertEquals(1, back.rxEvent().notificationsSent() - sentBefore);
        assertEquals(0, back.flushRx());
        assertEquals(16, front.pollRx(null, 256));
        assertEquals(16, front.refillRx());
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, true));
        assertEquals(1, back.flushRx());
        assertEquals(17, front.rxRing().rspProdAcquire());
        device.close();
    }

    private static int reqProd(final NetFront front)
    {
        return front.txRing().buffer().getIntVolatile(SharedRingDescriptor.REQ_PROD_OFFSET);
    }
}
