package org.xennet.core.netfront;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted backend writes responses straight into the frontend's shared rings: duplicate and unknown ids,
 * producer indices racing ahead, bad statuses, offsets past the page, endless more_data chains, grants still
 * mapped. Each must make the frontend BROKEN with its specific reason, with no exception and no access out of
 * bounds (Agrona's bounds checks are on in tests, so an out-of-bounds access would throw).
 */
class NetFrontHostileBackendTest
{
    private GuestDomain guest;
    private NetFront front;
    private AtomicBuffer txPage;
    private AtomicBuffer rxPage;
    private int txRspProd;
    private int rxRspProd;
    private final NetifTxResponseFlyweight txResponse = new NetifTxResponseFlyweight();
    private final NetifRxResponseFlyweight rxResponse = new NetifRxResponseFlyweight();

    @BeforeEach
    void open()
    {
        guest = GuestDomain.create(1, 1, 2 + 512, 64, 0x2000, 2, 0x1000);
        front = new NetFront(
            new NetFrontConfig().rxBufferFirstPage(0).rxBufferCount(32).txBufferFirstPage(32).txBufferCount(0),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        assertEquals(NetFrontResult.OK, front.open());
        txPage = front.txRing().buffer();
        rxPage = front.rxRing().buffer();
    }

    @AfterEach
    void close()
    {
        front.close();
    }

    private void txRespond(final int id, final int status)
    {
        txResponse.wrap(txPage, front.txRing().responseOffset(txRspProd++)).id(id).status(status);
        txPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, txRspProd);
    }

    private void rxRespond(final int id, final int offset, final int flags, final int status)
    {
        rxResponse.wrap(rxPage, front.rxRing().responseOffset(rxRspProd++))
            .id(id).offset(offset).flags(flags).status(status);
        rxPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, rxRspProd);
    }

    private void assertBroken(final BrokenReason reason, final int result)
    {
        assertEquals(NetFrontResult.BROKEN, result);
        assertEquals(NetFront.State.BROKEN, front.state());
        assertEquals(reason, front.brokenReason());
        assertEquals(NetFrontResult.BROKEN, front.transmit(0, 60));
        assertEquals(NetFrontResult.BROKEN, front.refillRx());
        assertEquals(NetFrontResult.BROKEN, front.pollTx(null, 256));
        assertEquals(NetFrontResult.BROKEN, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnDuplicateTxId()
    {
        assertEquals(1, front.transmit(0, 60)); // id 0
        txRespond(0, 0);
        txRespond(0, 0);
        assertBroken(BrokenReason.TX_ID_NOT_PENDING, front.pollTx(null, 256));
        assertEquals(1, front.txPackets()); // the first answer still counted once
    }

    @Test
    void shouldBreakOnUnknownTxId()
    {
        assertEquals(1, front.transmit(0, 60));
        txRespond(7, 0);
        assertBroken(BrokenReason.TX_ID_NOT_PENDING, front.pollTx(null, 256));
    }

    @Test
    void shouldBreakOnTxIdOutOfRange()
    {
        txRespond(0xFFFF, 0);
        assertBroken(BrokenReason.TX_BAD_ID, front.pollTx(null, 256));
    }

    @Test
    void shouldBreakWhenTxResponseProducerRacesAhead()
    {
        txPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, 257);
        assertBroken(BrokenReason.TX_RSP_PROD_OVERFLOW, front.pollTx(null, 256));
    }

    @Test
    void shouldBreakWhenTxResponseProducerGoesBackwards()
    {
        txPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, -1);
        assertBroken(BrokenReason.TX_RSP_PROD_OVERFLOW, front.pollTx(null, 256));
    }

    @Test
    void shouldBreakOnBadTxStatus()
    {
        assertEquals(1, front.transmit(0, 60));
        txRespond(0, -5);
        assertBroken(BrokenReason.TX_BAD_STATUS, front.pollTx(null, 256));
    }

    @Test
    void shouldBreakOnOversizedTxStatus()
    {
        assertEquals(1, front.transmit(0, 60));
        txRespond(0, 1500);
        assertBroken(BrokenReason.TX_BAD_STATUS, front.pollTx(null, 256));
    }

    @Test
    void shouldSkipNullTxResponsesAndReportErrorStatusPerPacket()
    {
        assertEquals(1, front.transmit(0, 60));
        assertEquals(1, front.transmit(0, 60));
        txRespond(0, 1);  // NETIF_RSP_NULL: belongs to an extra-info slot, skipped
        txRespond(0, -1); // ERROR
        txRespond(1, -2); // DROPPED
        final int[] statuses = new int[2];
        final int[] count = new int[1];
        assertEquals(2, front.pollTx((o, l, s) -> statuses[count[0]++] = s, 256));
        assertEquals(-1, statuses[0]);
        assertEquals(-2, statuses[1]);
        assertEquals(1, front.txErrors());
        assertEquals(1, front.txDropped());
        assertEquals(NetFront.State.CONNECTED, front.state());
    }

    @Test
    void shouldBreakAndDeferWhenTxGrantIsStillMapped()
    {
        assertEquals(1, front.transmit(0, 60));
        final int entry = GrantEntryV1Descriptor.entryOffset(front.txRef(0));
        final AtomicBuffer frames = guest.grantTable().frames();
        frames.putShortVolatile(entry, (short)(frames.getShort(entry) | GrantFlags.READING)); // backend maps it
        txRespond(0, 0);
        assertBroken(BrokenReason.GRANT_STILL_IN_USE, front.pollTx(null, 256));
        assertEquals(1, front.deferredGrants());
        front.close();
        assertEquals(1, guest.allocator().used()); // the mapped ref is never freed nor reused
        assertTrue(front.isQuarantined(0));
    }

    @Test
    void shouldQuarantineAStillMappedRxBufferAcrossReopen()
    {
        assertEquals(32, front.refillRx()); // id 0 holds pool page 0
        final int entry = GrantEntryV1Descriptor.entryOffset(front.rxRef(0));
        final AtomicBuffer frames = guest.grantTable().frames();
        frames.putShortVolatile(entry, (short)(frames.getShort(entry) | GrantFlags.WRITING));
        rxRespond(0, 0, 0, 60);
        assertBroken(BrokenReason.GRANT_STILL_IN_USE, front.pollRx(null, 256));
        front.close();
        assertEquals(1, guest.allocator().used());
        assertEquals(NetFrontResult.OK, front.open());
        assertEquals(BrokenReason.NONE, front.brokenReason());
        assertEquals(31, front.rxPoolAvailable()); // page 0 never comes back
        assertEquals(31, front.refillRx());
    }

    @Test
    void shouldBreakOnDuplicateRxId()
    {
        assertEquals(32, front.refillRx());
        rxRespond(3, 0, 0, 60);
        rxRespond(3, 0, 0, 60);
        assertBroken(BrokenReason.RX_ID_NOT_PENDING, front.pollRx(null, 256));
        assertEquals(1, front.rxPackets());
    }

    @Test
    void shouldBreakOnUnknownRxId()
    {
        assertEquals(32, front.refillRx()); // ids 0..31 pending
        rxRespond(100, 0, 0, 60);
        assertBroken(BrokenReason.RX_ID_NOT_PENDING, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnRxIdOutOfRange()
    {
        assertEquals(32, front.refillRx());
        rxRespond(256, 0, 0, 60);
        assertBroken(BrokenReason.RX_BAD_ID, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakWhenRxResponseProducerRacesAhead()
    {
        assertEquals(32, front.refillRx());
        rxPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, 1000);
        assertBroken(BrokenReason.RX_RSP_PROD_OVERFLOW, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnNegativeRxStatus()
    {
        assertEquals(32, front.refillRx());
        rxRespond(0, 0, 0, -300);
        assertBroken(BrokenReason.RX_BAD_STATUS, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnOversizedRxStatus()
    {
        assertEquals(32, front.refillRx());
        rxRespond(0, 0, 0, 5000);
        assertBroken(BrokenReason.RX_BAD_OFFSET, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnRxOffsetPastThePage()
    {
        assertEquals(32, front.refillRx());
        rxRespond(0, 4000, 0, 200);
        assertBroken(BrokenReason.RX_BAD_OFFSET, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnRxOffsetPastThePageEvenWithEmptyFragment()
    {
        assertEquals(32, front.refillRx());
        rxRespond(0, 0, NetifRxFlags.MORE_DATA, 100);
        rxRespond(1, 0xFFFF, 0, 0);
        assertBroken(BrokenReason.RX_BAD_OFFSET, front.pollRx(null, 256));
    }

    @Test
    void shouldBreakOnEndlessRxMoreDataChain()
    {
        assertEquals(32, front.refillRx());
        for (int id = 0; id < 32; id++)
        {
            rxRespond(id, 0, NetifRxFlags.MORE_DATA, 4096);
        }
        assertBroken(BrokenReason.RX_CHAIN_TOO_LONG, front.pollRx(null, 256));
        assertEquals(0, front.rxPackets());
    }

    @Test
    void shouldDropRxPacketWithErrorStatusAndRecycleItsBuffers()
    {
        assertEquals(32, front.refillRx());
        rxRespond(0, 0, NetifRxFlags.MORE_DATA, 4096);
        rxRespond(1, 0, 0, -1);
        rxRespond(2, 0, 0, -2);
        rxRespond(3, 10, 0, 100);
        final int[] lengths = new int[1];
        assertEquals(3, front.pollRx((b, o, l) -> lengths[0] = l, 256));
        assertEquals(100, lengths[0]);
        assertEquals(1, front.rxErrors());
        assertEquals(1, front.rxDropped());
        assertEquals(1, front.rxPackets());
        assertEquals(4, front.rxPoolAvailable());
        assertEquals(NetFront.State.CONNECTED, front.state());
    }
}
