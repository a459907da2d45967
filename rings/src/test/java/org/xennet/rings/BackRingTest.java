package org.xennet.rings;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.when;
import static org.xennet.rings.SharedRingDescriptor.REQ_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.REQ_PROD_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_PROD_OFFSET;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

class BackRingTest
{
    private final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));
    private final BackRing back = NetifTxRing.back(page);

    @Test
    void shouldStartEmptyAfterInit()
    {
        NetifTxRing.front(page).sharedRingInit();
        back.reqCons(4);
        back.rspProdPvt(4);
        back.init();
        assertEquals(0, back.reqCons());
        assertEquals(0, back.rspProdPvt());
        assertEquals(0, back.unconsumedRequests());
        assertEquals(256, back.size());
        assertEquals(12, back.slotLength());
        assertSame(page, back.buffer());
        assertEquals(64 + 12, back.requestOffset(257));
        assertEquals(64 + 12, back.responseOffset(0xFFFFFF01));
    }

    @Test
    void shouldLimitUnconsumedRequestsByResponseSpace()
    {
        back.attach(0xFFFFFFF0);
        page.putInt(REQ_PROD_OFFSET, 0xFFFFFFF0 + 300);
        assertEquals(256, back.unconsumedRequests(), "only as many as there are response slots");
        back.reqCons(0xFFFFFFF0 + 200);
        assertEquals(56, back.unconsumedRequests());
        back.rspProdPvt(0xFFFFFFF0 + 100);
        assertEquals(100, back.unconsumedRequests(), "req_prod - req_cons is now the smaller term");
        assertEquals(0xFFFFFFF0 + 300, back.reqProdAcquire());
    }

    @Test
    void shouldDetectConsAndProdOverflowAcrossWrap()
    {
        back.attach(0xFFFFFF80);
        assertFalse(back.requestConsOverflow(0xFFFFFF80 + 255));
        assertTrue(back.requestConsOverflow(0xFFFFFF80 + 256));
        assertFalse(back.requestProdOverflow(0xFFFFFF80 + 256));
        assertTrue(back.requestProdOverflow(0xFFFFFF80 + 257));
        assertTrue(back.requestProdOverflow(0xFFFFFF7F), "behind rspProdPvt is 2^32 - 1 ahead");
    }

    @Test
    void shouldNotifyOnlyWhenRspEventInPushedWindow()
    {
        NetifTxRing.front(page).sharedRingInit();
        back.init();
        back.rspProdPvt(1);
        assertTrue(back.pushResponsesAndCheckNotify());
        back.rspProdPvt(2);
        assertFalse(back.pushResponsesAndCheckNotify());
        page.putInt(RSP_EVENT_OFFSET, 4);
        back.rspProdPvt(3);
        back.pushResponses();
        assertEquals(3, page.getInt(RSP_PROD_OFFSET));
        back.rspProdPvt(4);
        assertTrue(back.pushResponsesAndCheckNotify());
    }

    @Test
    void shouldArmReqEventOnlyWhenNoRequestPending()
    {
        NetifTxRing.front(page).sharedRingInit();
        back.attach(0xFFFFFFFF);
        page.putInt(REQ_PROD_OFFSET, 0);
        assertEquals(1, back.finalCheckForRequests());
        assertEquals(1, page.getInt(REQ_EVENT_OFFSET), "left alone while work is pending");
        back.reqCons(0);
        page.putInt(REQ_EVENT_OFFSET, 99);
        assertEquals(0, back.finalCheckForRequests());
        assertEquals(1, page.getInt(REQ_EVENT_OFFSET), "req_event = req_cons + 1, across the wrap");
    }

    @Test
    void shouldRefuseHeapPage()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> NetifTxRing.back(new UnsafeBuffer(new byte[4096])));
        assertTrue(ex.getMessage().contains("address="), ex.getMessage());
    }

    @Test
    void shouldAcquireReqProdBeforeReadingSlot()
    {
        // slots are read by address: what the ring owes is an acquire load of req_prod (never a plain one)
        final AtomicBuffer buffer = spy(new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096)));
        new UnsafeBuffer(buffer.addressOffset(), 4096).putIntRelease(REQ_PROD_OFFSET, 1);
        new UnsafeBuffer(buffer.addressOffset(), 4096).putInt(64, 0x55, LITTLE_ENDIAN);
        final BackRing ring = new BackRing(buffer, 12);
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        final int reqProd = ring.reqProdAcquire();
        assertEquals(1, reqProd);
        assertEquals(0x55, request.wrap(ring, ring.reqCons()).gref());

        verify(buffer).getIntAcquire(REQ_PROD_OFFSET);
        verify(buffer, never()).getInt(REQ_PROD_OFFSET);
    }

    @Test
    void shouldWriteResponseBeforeReleasingRspProdThenReadRspEvent()
    {
        final AtomicBuffer buffer = spy(new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096)));
        final UnsafeBuffer raw = new UnsafeBuffer(buffer.addressOffset(), 4096);
        raw.putInt(64, -1);
        final BackRing ring = new BackRing(buffer, 12);
        final int[] slotAtRelease = new int[1];
        doAnswer(invocation ->
        {
            slotAtRelease[0] = raw.getInt(64, LITTLE_ENDIAN);
            return invocation.callRealMethod();
        }).when(buffer).putIntRelease(RSP_PROD_OFFSET, 1);
        new NetifTxResponseFlyweight().wrap(ring, 0).id(3).status(0);
        ring.rspProdPvt(1);
        ring.pushResponsesAndCheckNotify();

        assertEquals(3, slotAtRelease[0]); // id 3, status 0: written before rsp_prod was released
        final InOrder order = inOrder(buffer);
        order.verify(buffer).getInt(RSP_PROD_OFFSET);
        order.verify(buffer).putIntRelease(RSP_PROD_OFFSET, 1);
        order.verify(buffer).getIntVolatile(RSP_EVENT_OFFSET);
    }

    @Test
    void shouldArmReqEventBeforeRereadingReqProd()
    {
        final AtomicBuffer buffer = FrontRingTest.mockPage();
        final BackRing ring = new BackRing(buffer, 12);
        assertEquals(0, ring.finalCheckForRequests());

        final InOrder order = inOrder(buffer);
        order.verify(buffer).getIntAcquire(REQ_PROD_OFFSET);
        order.verify(buffer).putIntRelease(REQ_EVENT_OFFSET, 1);
        order.verify(buffer).getIntAcquire(REQ_PROD_OFFSET);
    }
}
