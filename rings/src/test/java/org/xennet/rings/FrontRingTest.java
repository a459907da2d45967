package org.xennet.rings;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.xennet.rings.SharedRingDescriptor.REQ_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.REQ_PROD_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_PROD_OFFSET;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.InOrder;
import org.xennet.rings.netif.NetifRxRing;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxRing;

class FrontRingTest
{
    private final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));
    private final FrontRing front = NetifTxRing.front(page);

    @Test
    void shouldHave256SlotsForTxAndRx()
    {
        assertEquals(256, front.size());
        assertEquals(12, front.slotLength());
        assertSame(page, front.buffer());
        assertEquals(256, NetifRxRing.front(page).size());
        assertEquals(8, NetifRxRing.front(page).slotLength());
    }

    @Test
    void shouldInitSharedRingWithoutTouchingSlots()
    {
        page.setMemory(0, 4096, (byte)0xA5);
        front.sharedRingInit();
        assertEquals(0, page.getInt(REQ_PROD_OFFSET));
        assertEquals(1, page.getInt(REQ_EVENT_OFFSET));
        assertEquals(0, page.getInt(RSP_PROD_OFFSET));
        assertEquals(1, page.getInt(RSP_EVENT_OFFSET));
        for (int i = SharedRingDescriptor.PVT_OFFSET; i < SharedRingDescriptor.HEADER_LENGTH; i++)
        {
            assertEquals(0, page.getByte(i), "header byte " + i);
        }
        assertEquals((byte)0xA5, page.getByte(SharedRingDescriptor.RING_OFFSET));
        assertEquals((byte)0xA5, page.getByte(4095));
    }

    @Test
    void shouldStartEmptyAfterInit()
    {
        front.sharedRingInit();
        front.reqProdPvt(9);
        front.rspCons(3);
        front.init();
        assertEquals(0, front.reqProdPvt());
        assertEquals(0, front.rspCons());
        assertEquals(256, front.freeRequests());
        assertFalse(front.isFull());
        assertEquals(0, front.unconsumedResponses());
    }

    @Test
    void shouldMaskSlotOffsetsAcrossWrap()
    {
        assertEquals(64, front.requestOffset(0));
        assertEquals(64 + 255 * 12, front.requestOffset(255));
        assertEquals(64, front.requestOffset(256));
        assertEquals(64 + 255 * 12, front.requestOffset(0xFFFFFFFF));
        assertEquals(64 + 12, front.responseOffset(0x80000001));
    }

    @Test
    void shouldCountFreeRequestsAcrossWrap()
    {
        front.attach(0xFFFFFFFE);
        front.reqProdPvt(1);
        assertEquals(253, front.freeRequests());
        front.reqProdPvt(0xFFFFFFFE + 256);
        assertEquals(0, front.freeRequests());
        assertTrue(front.isFull());
    }

    @Test
    void shouldNotifyOnlyWhenReqEventInPushedWindow()
    {
        front.sharedRingInit();
        front.init();
        front.reqProdPvt(1);
        assertTrue(front.pushRequestsAndCheckNotify());
        front.reqProdPvt(2);
        assertFalse(front.pushRequestsAndCheckNotify());
        assertFalse(front.pushRequestsAndCheckNotify(), "nothing new pushed");
        page.putInt(REQ_EVENT_OFFSET, 3);
        front.reqProdPvt(5);
        assertTrue(front.pushRequestsAndCheckNotify());
        assertEquals(5, page.getInt(REQ_PROD_OFFSET));
    }

    @Test
    void shouldNotifyAcrossIndexWrap()
    {
        page.putInt(REQ_PROD_OFFSET, 0xFFFFFFFE);
        page.putInt(REQ_EVENT_OFFSET, 0xFFFFFFFF);
        front.attach(0xFFFFFFFE);
        front.reqProdPvt(1);
        assertTrue(front.pushRequestsAndCheckNotify());
        assertEquals(1, page.getInt(REQ_PROD_OFFSET));
        page.putInt(REQ_EVENT_OFFSET, 2);
        front.reqProdPvt(2);
        assertTrue(front.pushRequestsAndCheckNotify());
        page.putInt(REQ_EVENT_OFFSET, 0xFFFFFFF0);
        front.reqProdPvt(3);
        assertFalse(front.pushRequestsAndCheckNotify());
    }

    @Test
    void shouldPublishReqProdOnPlainPush()
    {
        front.sharedRingInit();
        front.init();
        front.reqProdPvt(7);
        front.pushRequests();
        assertEquals(7, page.getInt(REQ_PROD_OFFSET));
        assertEquals(1, page.getInt(REQ_EVENT_OFFSET));
    }

    @Test
    void shouldCountUnconsumedResponsesAndDetectOverflow()
    {
        page.putInt(RSP_PROD_OFFSET, 2);
        front.attach(0xFFFFFFFD);
        assertEquals(5, front.unconsumedResponses());
        assertEquals(2, front.rspProdAcquire());
        assertFalse(front.responseProdOverflow(0xFFFFFFFD + 256));
        assertTrue(front.responseProdOverflow(0xFFFFFFFD + 257));
        assertTrue(front.responseProdOverflow(0xFFFFFFFC), "behind rspCons is 2^32 - 1 ahead");
    }

    @Test
    void shouldArmRspEventOnlyWhenNoResponsePending()
    {
        front.sharedRingInit();
        front.attach(41);
        page.putInt(RSP_PROD_OFFSET, 42);
        page.putInt(RSP_EVENT_OFFSET, 7);
        assertEquals(1, front.finalCheckForResponses());
        assertEquals(7, page.getInt(RSP_EVENT_OFFSET), "left alone while work is pending");
        front.rspCons(42);
        assertEquals(0, front.finalCheckForResponses());
        assertEquals(43, page.getInt(RSP_EVENT_OFFSET));
    }

    @Test
    void shouldRefuseTooSmallPageNamingCapacity()
    {
        final UnsafeBuffer small = new UnsafeBuffer(page, 0, 2048);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> NetifTxRing.front(small));
        assertTrue(ex.getMessage().contains("capacity=2048"), ex.getMessage());
    }

    @Test
    void shouldRefuseMisalignedPageNamingAddress()
    {
        final UnsafeBuffer big = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 4096));
        final UnsafeBuffer misaligned = new UnsafeBuffer(big, 64, 4096);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new FrontRing(misaligned, 12));
        assertTrue(ex.getMessage().contains("address=0x" + Long.toHexString(misaligned.addressOffset())),
            ex.getMessage());
    }

    @Test
    void shouldRefuseSlotThatDoesNotFit()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new FrontRing(page, 5000));
        assertTrue(ex.getMessage().contains("slotLength=5000"), ex.getMessage());
    }

    @Test
    void shouldWorkOverMemoryMappedFileSeenThroughSecondMapping(@TempDir final Path dir)
    {
        final File file = dir.resolve("ring").toFile();
        final MappedByteBuffer frontMapping = IoUtil.mapNewFile(file, 4096);
        final MappedByteBuffer backMapping = IoUtil.mapExistingFile(file, "ring");
        try
        {
            final FrontRing mappedFront = NetifTxRing.front(new UnsafeBuffer(frontMapping));
            final BackRing mappedBack = NetifTxRing.back(new UnsafeBuffer(backMapping));
            mappedFront.sharedRingInit();
            mappedFront.init();
            mappedBack.init();
            final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
            for (int i = 0; i < 300; i++)
            {
                request.wrap(mappedFront.buffer(), mappedFront.requestOffset(mappedFront.reqProdPvt()))
                    .gref(1000 + i).offset(0).flags(0).id(i).size(60);
                mappedFront.reqProdPvt(mappedFront.reqProdPvt() + 1);
                mappedFront.pushRequests();
                assertEquals(1, mappedBack.unconsumedRequests());
                request.wrap(mappedBack.buffer(), mappedBack.requestOffset(mappedBack.reqCons()));
                assertEquals(1000 + i, request.gref());
                assertEquals(i, request.id());
                mappedBack.reqCons(mappedBack.reqCons() + 1);
                mappedBack.rspProdPvt(mappedBack.rspProdPvt() + 1);
                mappedBack.pushResponses();
                assertEquals(1, mappedFront.unconsumedResponses());
                mappedFront.rspCons(mappedFront.rspCons() + 1);
            }
        }
        finally
        {
            IoUtil.unmap(backMapping);
            IoUtil.unmap(frontMapping);
        }
    }

    @Test
    void shouldWriteSlotBeforeReleasingReqProd()
    {
        // slots are written by address (no buffer call to order), so the spy checks the slot's bytes at the very
        // moment req_prod is release-stored, and that req_prod is never published by a plain store
        final AtomicBuffer buffer = spy(new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096)));
        final FrontRing ring = new FrontRing(buffer, 12);
        final long[] slotAtRelease = new long[2];
        doAnswer(invocation ->
        {
            slotAtRelease[0] = page(buffer).getLong(64);
            slotAtRelease[1] = page(buffer).getInt(64 + 8);
            return invocation.callRealMethod();
        }).when(buffer).putIntRelease(REQ_PROD_OFFSET, 1);
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        request.wrap(ring, 0).gref(7).offset(0).flags(0).id(1).size(60);
        ring.reqProdPvt(1);
        ring.pushRequests();

        verify(buffer).putIntRelease(REQ_PROD_OFFSET, 1);
        verify(buffer, never()).putInt(eq(REQ_PROD_OFFSET), anyInt());
        assertEquals(7L, slotAtRelease[0]);
        assertEquals(1 | (60 << 16), (int)slotAtRelease[1]);
    }

    private static UnsafeBuffer page(final AtomicBuffer spy)
    {
        return new UnsafeBuffer(spy.addressOffset(), spy.capacity());
    }

    @Test
    void shouldReleaseReqProdBeforeReadingReqEvent()
    {
        final AtomicBuffer buffer = mockPage();
        when(buffer.getIntVolatile(REQ_EVENT_OFFSET)).thenReturn(1);
        final FrontRing ring = new FrontRing(buffer, 12);
        ring.reqProdPvt(1);
        assertTrue(ring.pushRequestsAndCheckNotify());

        final InOrder order = inOrder(buffer);
        order.verify(buffer).getInt(REQ_PROD_OFFSET);
        order.verify(buffer).putIntRelease(REQ_PROD_OFFSET, 1);
        order.verify(buffer).getIntVolatile(REQ_EVENT_OFFSET);
    }

    @Test
    void shouldArmRspEventBeforeRereadingRspProd()
    {
        final AtomicBuffer buffer = mockPage();
        final FrontRing ring = new FrontRing(buffer, 12);
        ring.attach(5);
        when(buffer.getIntAcquire(RSP_PROD_OFFSET)).thenReturn(5);
        assertEquals(0, ring.finalCheckForResponses());

        final InOrder order = inOrder(buffer);
        order.verify(buffer).getIntAcquire(RSP_PROD_OFFSET);
        order.verify(buffer).putIntRelease(RSP_EVENT_OFFSET, 6);
        order.verify(buffer).getIntAcquire(RSP_PROD_OFFSET);
    }

    @Test
    void shouldNotAllocateOnHotPath()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final BackRing back = NetifTxRing.back(page);
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        front.sharedRingInit();
        front.init();
        back.init();
        roundTrips(back, request, 20_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long sum = roundTrips(back, request, 100_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sum != 0);
        assertTrue(allocated < 1024, "hot path allocated " + allocated + " bytes");
    }

    private long roundTrips(final BackRing back, final NetifTxRequestFlyweight request, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            request.wrap(page, front.requestOffset(front.reqProdPvt())).gref(i).offset(0).flags(0).id(i).size(60);
            front.reqProdPvt(front.reqProdPvt() + 1);
            sum += front.pushRequestsAndCheckNotify() ? 1 : 0;
            sum += back.unconsumedRequests() + back.finalCheckForRequests();
            sum += request.wrap(page, back.requestOffset(back.reqCons())).gref();
            back.reqCons(back.reqCons() + 1);
            back.rspProdPvt(back.rspProdPvt() + 1);
            sum += back.pushResponsesAndCheckNotify() ? 1 : 0;
            sum += front.unconsumedResponses() + front.freeRequests();
            front.rspCons(front.rspCons() + 1);
            sum += front.finalCheckForResponses();
        }
        return sum;
    }

    static AtomicBuffer mockPage()
    {
        final AtomicBuffer buffer = mock(AtomicBuffer.class);
        when(buffer.capacity()).thenReturn(4096);
        when(buffer.addressOffset()).thenReturn(0x7F00_0000_0000L);
        return buffer;
    }
}
