package org.xennet.core.netback;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifTxFlags;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A scripted frontend writes requests straight into the shared rings a {@link NetBack} consumes: bad grefs, a
 * fragment past its page, a chain whose sizes do not add up, over-long chains, producer indices racing ahead.
 * Recoverable faults get ERROR responses; protocol breaks disconnect with a {@link FrontendFault}. Never a throw.
 */
class NetBackHostileFrontendTest
{
    private static final int BACKEND_DOMID = 0;

    private GuestDomain guest;
    private NetFront front;
    private NetBack back;
    private FrontRing txRing;
    private AtomicBuffer txPage;
    private final PacketSinks.Counting sink = new PacketSinks.Counting();
    private final NetifTxRequestFlyweight txRequest = new NetifTxRequestFlyweight();
    private final NetifTxResponseFlyweight txResponse = new NetifTxResponseFlyweight();
    private int grantedRef;

    @BeforeEach
    void connect()
    {
        guest = GuestDomain.create(1, 2, 2 + 512 + 1, 64, 0x2000, 2, 0x1000);
        front = new NetFront(
            new NetFrontConfig().backendDomid(BACKEND_DOMID).rxBufferFirstPage(0).rxBufferCount(32).txBufferCount(0),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        assertEquals(NetFrontResult.OK, front.open());
        back = new NetBack(BACKEND_DOMID, guest.grantTable(), guest.memory(), sink);
        assertEquals(0, back.connect(1, front.txRingRef(), front.rxRingRef(), guest.ringMemory(),
            org.xennet.core.event.LocalEventChannel.bindTo((org.xennet.core.event.LocalEventChannel)front.txEvent(), 1),
            org.xennet.core.event.LocalEventChannel.bindTo((org.xennet.core.event.LocalEventChannel)front.rxEvent(), 2)));
        txRing = front.txRing();
        txPage = txRing.buffer();
        grantedRef = guest.allocator().allocate();
        assertEquals(0, guest.grantTable().permitAccess(grantedRef, BACKEND_DOMID, guest.memory().frame(40), true));
    }

    @AfterEach
    void disconnect()
    {
        back.disconnect();
    }

    private void request(final int gref, final int offset, final int flags, final int id, final int size)
    {
        txRequest.wrap(txPage, txRing.requestOffset(txRing.reqProdPvt()))
            .gref(gref).offset(offset).flags(flags).id(id).size(size);
        txRing.reqProdPvt(txRing.reqProdPvt() + 1);
        txRing.pushRequests();
    }

    private int responseStatus(final int index)
    {
        return txResponse.wrap(txPage, txRing.responseOffset(index)).status();
    }

    private int responseId(final int index)
    {
        return txResponse.wrap(txPage, txRing.responseOffset(index)).id();
    }

    private void assertFaulted(final FrontendFault fault, final int result)
    {
        assertEquals(NetBack.FAULTED, result);
        assertEquals(NetBack.State.FAULTED, back.state());
        assertEquals(fault, back.fault());
        assertEquals(NetBack.FAULTED, back.pollTx(256));
        assertEquals(PacketSink.DROPPED, back.deliver(new UnsafeBuffer(new byte[64]), 0, 64));
    }

    @Test
    void shouldCopyAValidPacketToTheSinkAndAnswerOkay()
    {
        request(grantedRef, 100, 0, 5, 60);
        assertEquals(1, back.pollTx(256));
        assertEquals(1, sink.packets());
        assertEquals(5, responseId(0));
        assertEquals(0, responseStatus(0));
    }

    @Test
    void shouldAnswerErrorForBadGref()
    {
        request(900, 0, 0, 1, 60); // never granted
        request(3, 0, 0, 2, 60);   // reserved
        request(grantedRef, 0, 0, 3, 60);
        assertEquals(3, back.pollTx(256));
        assertEquals(-1, responseStatus(0));
        assertEquals(-1, responseStatus(1));
        assertEquals(0, responseStatus(2));
        assertEquals(2, back.txErrorResponses());
        assertEquals(1, sink.packets());
        assertEquals(NetBack.State.CONNECTED, back.state());
    }

    @Test
    void shouldAnswerErrorForEveryFragmentOfAChainWhoseSizesDoNotAddUp()
    {
        request(grantedRef, 0, NetifTxFlags.MORE_DATA, 1, 100); // total 100 ...
        request(grantedRef, 0, 0, 2, 200);                      // ... but a later fragment alone is 200
        assertEquals(1, back.pollTx(256));
        assertEquals(1, responseId(0));
        assertEquals(-1, responseStatus(0));
        assertEquals(2, responseId(1));
        assertEquals(-1, responseStatus(1));
        assertEquals(0, sink.packets());
    }

    @Test
    void shouldDisconnectOnFragmentPastThePage()
    {
        request(grantedRef, 4000, 0, 1, 200);
        assertFaulted(FrontendFault.TX_CROSSES_PAGE, back.pollTx(256));
    }

    @Test
    void shouldDisconnectOnLaterFragmentPastThePage()
    {
        request(grantedRef, 0, NetifTxFlags.MORE_DATA, 1, 5000);
        request(grantedRef, 4000, 0, 2, 904);
        assertFaulted(FrontendFault.TX_CROSSES_PAGE, back.pollTx(256));
    }

    @Test
    void shouldDisconnectOnEndlessChain()
    {
        for (int i = 0; i < 40; i++)
        {
            request(grantedRef, 0, NetifTxFlags.MORE_DATA, i, 60);
        }
        assertFaulted(FrontendFault.TX_CHAIN_TOO_LONG, back.pollTx(256));
    }

    @Test
    void shouldWaitForTheRestOfAnIncompleteChain()
    {
        request(grantedRef, 0, NetifTxFlags.MORE_DATA, 1, 120);
        assertEquals(0, back.pollTx(256));
        assertEquals(NetBack.State.CONNECTED, back.state());
        request(grantedRef, 0, 0, 2, 60);
        assertEquals(1, back.pollTx(256));
        assertEquals(120, sink.bytes());
    }

    @Test
    void shouldDisconnectWhenRequestProducerRacesAhead()
    {
        txPage.putIntRelease(SharedRingDescriptor.REQ_PROD_OFFSET, 300);
        assertFaulted(FrontendFault.TX_REQ_PROD_OVERFLOW, back.pollTx(256));
    }

    @Test
    void shouldAnswerErrorForAnRxBufferThatCannotBeWritten()
    {
        final FrontRing rxRing = front.rxRing();
        final NetifRxRequestFlyweight rxRequest = new NetifRxRequestFlyweight();
        rxRequest.wrap(rxRing.buffer(), rxRing.requestOffset(0)).id(9).gref(grantedRef); // read-only grant
        rxRing.reqProdPvt(1);
        rxRing.pushRequests();
        assertEquals(PacketSink.DROPPED, back.deliver(new UnsafeBuffer(new byte[64]), 0, 64));
        assertEquals(1, back.rxCopyErrors());
        assertEquals(NetBack.State.CONNECTED, back.state());
    }

    @Test
    void shouldDisconnectWhenRxRequestProducerRacesAhead()
    {
        front.rxRing().buffer().putIntRelease(SharedRingDescriptor.REQ_PROD_OFFSET, 5000);
        assertEquals(PacketSink.DROPPED, back.deliver(new UnsafeBuffer(new byte[64]), 0, 64));
        assertEquals(FrontendFault.RX_REQ_PROD_OVERFLOW, back.fault());
        assertEquals(NetBack.State.FAULTED, back.state());
    }

    @Test
    void shouldRefuseARingGrantThatIsNotWritableOrNotToThisBackend()
    {
        final NetBack other = new NetBack(7, guest.grantTable(), guest.memory(), sink);
        assertEquals(NetBack.FAULTED, other.connect(1, front.txRingRef(), front.rxRingRef(), guest.ringMemory(),
            new org.xennet.core.event.LocalEventChannel(1), new org.xennet.core.event.LocalEventChannel(2)));
        assertEquals(FrontendFault.BAD_RING_REF, other.fault());
        final NetBack readOnly = new NetBack(BACKEND_DOMID, guest.grantTable(), guest.memory(), sink);
        assertEquals(NetBack.FAULTED, readOnly.connect(1, grantedRef, front.rxRingRef(), guest.ringMemory(),
            new org.xennet.core.event.LocalEventChannel(1), new org.xennet.core.event.LocalEventChannel(2)));
        assertNull(readOnly.txRing());
    }
}
