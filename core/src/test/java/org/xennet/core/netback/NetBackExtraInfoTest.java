package org.xennet.core.netback;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.offload.TestFrames;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.rings.netif.NetifExtraInfoFlyweight;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifTxFlags;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every slot a real frontend may send is understood: extra-info chains after the first tx request (GSO as Linux's
 * netfront sends it, unknown types skipped honouring XEN_NETIF_EXTRA_FLAG_MORE, multicast control answered without
 * a packet), one NETIF_RSP_NULL per extra slot, checksum flags carried to the sink; rx: NETRXF flags mapped from the
 * sender's and handed to the rx handler, extra-info rx slots recycled by the netfront, the frontend's feature-sg and
 * feature-no-csum-offload honoured with counted drops.
 */
class NetBackExtraInfoTest
{
    private static final int BACKEND_DOMID = 0;

    private GuestDomain guest;
    private NetFront front;
    private NetBack back;
    private FrontRing txRing;
    private AtomicBuffer txPage;
    private int grantedRef;
    private final List<byte[]> packets = new ArrayList<>();
    private final List<Integer> packetFlags = new ArrayList<>();
    private final NetifTxRequestFlyweight txRequest = new NetifTxRequestFlyweight();
    private final NetifTxResponseFlyweight txResponse = new NetifTxResponseFlyweight();
    private final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight();

    private final PacketSink sink = new PacketSink()
    {
        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            throw new AssertionError("flags not passed");
        }

        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length, final int flags)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            packets.add(bytes);
            packetFlags.add(flags);
            return ACCEPTED;
        }
    };

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
            front.txEvent(), front.rxEvent()));
        txRing = front.txRing();
        txPage = txRing.buffer();
        grantedRef = guest.allocator().allocate();
        assertEquals(0, guest.grantTable().permitAccess(grantedRef, BACKEND_DOMID, guest.memory().frame(40), true));
        for (int i = 0; i < 4096; i++)
        {
            guest.memory().buffer().putByte(40 * 4096 + i, (byte)(i * 13));
        }
    }

    private void request(final int offset, final int flags, final int id, final int size)
    {
        txRequest.wrap(txPage, txRing.requestOffset(txRing.reqProdPvt()))
            .gref(grantedRef).offset(offset).flags(flags).id(id).size(size);
        txRing.reqProdPvt(txRing.reqProdPvt() + 1);
    }

    private void extra(final int type, final int flags, final int gsoSize)
    {
        extra.wrap(txPage, txRing.requestOffset(txRing.reqProdPvt())).type(type).flags(flags);
        if (type == NetifConstants.EXTRA_TYPE_GSO)
        {
            extra.gsoSize(gsoSize).gsoType(NetifConstants.GSO_TYPE_TCPV4).gsoFeatures(0);
        }
        txRing.reqProdPvt(txRing.reqProdPvt() + 1);
    }

    private String responses(final int from, final int count)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++)
        {
            txResponse.wrap(txPage, txRing.responseOffset(i));
            final int status = txResponse.status();
            sb.append(status == NetifResponseStatus.NULL ? "NULL" : txResponse.id() + ":" + status).append(' ');
        }
        return sb.toString().trim();
    }

    private byte[] granted(final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        guest.memory().buffer().getBytes(40 * 4096 + offset, bytes);
        return bytes;
    }

    @Test
    void shouldConsumeALinuxGsoExtraAndAnswerItNull()
    {
        // A real TCP/IPv4 frame with a blank checksum (csum_start is found from its headers), in two fragments.
        final byte[] frame = TestFrames.tcp(false, 300 - 54, 1, true, 0x18);
        guest.memory().buffer().putBytes(40 * 4096, frame, 0, 200);
        guest.memory().buffer().putBytes(40 * 4096 + 1000, frame, 200, 100);
        // Linux netfront: first slot (csum_blank | extra_info | more_data, total size), GSO extra, second fragment
        request(0, NetifTxFlags.CSUM_BLANK | NetifTxFlags.EXTRA_INFO | NetifTxFlags.MORE_DATA, 7, 300);
        extra(NetifConstants.EXTRA_TYPE_GSO, 0, 1448);
        request(1000, 0, 8, 100);
        txRing.pushRequests();
        assertEquals(1, back.pollTx(16));
        assertEquals(1, packets.size());
        assertArrayEquals(frame, packets.get(0));
        assertEquals(PacketSink.CSUM_BLANK, packetFlags.get(0));
        assertEquals("7:0 NULL 8:0", responses(0, 3));
        assertEquals(1, back.txGsoPackets());
        assertEquals(1448, back.lastGsoSize());
        assertEquals(1, back.txExtraInfoSlots());
    }

    @Test
    void shouldSkipUnknownExtrasHonouringFlagMoreAndReadTheNextPacketRight()
    {
        request(0, NetifTxFlags.DATA_VALIDATED | NetifTxFlags.EXTRA_INFO, 1, 60);
        extra(9, NetifConstants.EXTRA_FLAG_MORE, 0);           // a type from the future, another follows
        extra(NetifConstants.EXTRA_TYPE_HASH, 0, 0);            // known, unused: skipped
        request(100, 0, 2, 70);                                 // the next packet, not a fragment
        txRing.pushRequests();
        assertEquals(2, back.pollTx(16));
        assertEquals(2, packets.size());
        assertArrayEquals(granted(0, 60), packets.get(0));
        assertArrayEquals(granted(100, 70), packets.get(1));
        assertEquals(List.of(PacketSink.DATA_VALIDATED, 0), packetFlags);
        assertEquals("1:0 NULL NULL 2:0", responses(0, 4));
        assertEquals(1, back.txUnknownExtras());
        assertEquals(NetBack.State.CONNECTED, back.state());
    }

    @Test
    void shouldAnswerMulticastControlWithoutAPacket()
    {
        request(0, NetifTxFlags.EXTRA_INFO, 3, 0);
        extra(NetifConstants.EXTRA_TYPE_MCAST_ADD, 0, 0);
        request(0, 0, 4, 60);
        txRing.pushRequests();
        assertEquals(2, back.pollTx(16)); // two requests processed ...
        assertEquals(1, packets.size()); // ... but only the real one is a packet
        assertEquals("3:0 NULL 4:0", responses(0, 3));
        assertEquals(1, back.txMulticastControl());
    }

    @Test
    void shouldWaitForAnExtraNotPushedYet()
    {
        request(0, NetifTxFlags.EXTRA_INFO, 1, 60);
        txRing.pushRequests();
        assertEquals(0, back.pollTx(16));
        assertEquals(0, packets.size());
        extra(NetifConstants.EXTRA_TYPE_GSO, 0, 500);
        txRing.pushRequests();
        assertEquals(1, back.pollTx(16));
        assertEquals("1:0 NULL", responses(0, 2));
    }

    @Test
    void shouldDisconnectOnAnEndlessExtraChain()
    {
        request(0, NetifTxFlags.EXTRA_INFO, 1, 60);
        for (int i = 0; i < 20; i++)
        {
            extra(9, NetifConstants.EXTRA_FLAG_MORE, 0);
        }
        txRing.pushRequests();
        assertEquals(NetBack.FAULTED, back.pollTx(16));
        assertEquals(FrontendFault.TX_CHAIN_TOO_LONG, back.fault());
    }

    @Test
    void shouldMapChecksumFlagsToNetrxfAndHandThemToTheRxHandler()
    {
        assertEquals(32, front.refillRx());
        final UnsafeBuffer packet = new UnsafeBuffer(TestFrames.udp(false, 100 - 42, 1, true)); // csum_start found
        final List<Integer> flags = new ArrayList<>();
        final RxPacketHandler handler = new RxPacketHandler()
        {
            @Override
            public void onPacket(final DirectBuffer buffer, final int offset, final int length)
            {
                throw new AssertionError("flags not passed");
            }

            @Override
            public void onPacket(final DirectBuffer buffer, final int offset, final int length, final int f)
            {
                flags.add(f);
            }
        };
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, PacketSink.CSUM_BLANK));
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, PacketSink.DATA_VALIDATED));
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 100, 0));
        assertEquals(3, front.pollRx(handler, 16));
        assertEquals(List.of(NetifRxFlags.CSUM_BLANK | NetifRxFlags.DATA_VALIDATED, NetifRxFlags.DATA_VALIDATED, 0),
            flags);
    }

    @Test
    void shouldHonourTheFrontendsFeatureSgAndNoCsumOffloadWithCountedDrops()
    {
        back.disconnect();
        back.frontendFeatures(new FrontendFeatures(false, false, false));
        assertEquals(0, back.connect(1, front.txRingRef(), front.rxRingRef(), guest.ringMemory(),
            front.txEvent(), front.rxEvent()));
        assertEquals(32, front.refillRx());
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[9000]);
        assertEquals(PacketSink.DROPPED, back.deliver(packet, 0, 5000, 0));
        assertEquals(1, back.rxDroppedNoSg());
        assertEquals(PacketSink.DROPPED, back.deliver(packet, 0, 100, PacketSink.CSUM_BLANK));
        assertEquals(1, back.rxDroppedCsumBlank());
        assertEquals(PacketSink.ACCEPTED, back.deliver(packet, 0, 4096, PacketSink.DATA_VALIDATED));
        assertEquals(true, back.rxRequestPolling());
        assertEquals(1, front.pollRx(null, 16));
    }

    @Test
    void shouldRecycleTheBufferOfAnRxExtraInfoSlot()
    {
        assertEquals(32, front.refillRx());
        final BackRing ring = back.rxRing();
        final AtomicBuffer page = ring.buffer();
        final NetifRxRequestFlyweight rxRequest = new NetifRxRequestFlyweight();
        final NetifRxResponseFlyweight rxResponse = new NetifRxResponseFlyweight();
        final int id0 = rxRequest.wrap(page, ring.requestOffset(0)).id();
        // a backend sending GSO: first response with NETRXF_extra_info, then the extra in the next slot
        rxResponse.wrap(page, ring.responseOffset(0)).id(id0).offset(0)
            .flags(NetifRxFlags.EXTRA_INFO | NetifRxFlags.DATA_VALIDATED).status(60);
        extra.wrap(page, ring.responseOffset(1)).type(NetifConstants.EXTRA_TYPE_HASH).flags(0).gsoSize(1448)
            .gsoType(NetifConstants.GSO_TYPE_TCPV4).gsoFeatures(0); // a type this frontend skips
        ring.reqCons(2);
        ring.rspProdPvt(2);
        ring.pushResponses();
        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, front.pollRx((buffer, offset, length) -> lengths.add(length), 16));
        assertEquals(List.of(60), lengths);
        assertEquals(1, front.rxExtraInfoSlots());
        assertEquals(front.config().rxIds() - 30, front.rxFreeIds()); // both ids back: the packet's and the extra's
        assertEquals(NetFront.State.CONNECTED, front.state());
        // the ring goes on: a normal packet after it
        assertEquals(2, front.refillRx());
        assertEquals(PacketSink.ACCEPTED, back.deliver(new UnsafeBuffer(new byte[80]), 0, 80));
        assertEquals(1, front.pollRx((buffer, offset, length) -> lengths.add(length), 16));
        assertEquals(List.of(60, 80), lengths);
    }
}
