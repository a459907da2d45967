package org.xennet.rings.netif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.rings.FrontRing;

class NetifFlyweightTest
{
    private static final int SLOT = 64 + 12 * 3;

    private final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096));

    @Test
    void shouldWriteTxRequestInLittleEndianAtItsOffsets()
    {
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        assertSame(request, request.wrap(page, SLOT));
        request.gref(0xFFFFFFF1).offset(0xFFFE).flags(NetifTxFlags.MORE_DATA | NetifTxFlags.CSUM_BLANK)
            .id(0x1234).size(0xABCD);
        assertBytes(SLOT, "f1ffffff" + "feff" + "0500" + "3412" + "cdab");
        assertEquals(0xFFFFFFF1, request.gref());
        assertEquals(0xFFFE, request.offset());
        assertEquals(5, request.flags());
        assertEquals(0x1234, request.id());
        assertEquals(0xABCD, request.size());
    }

    @Test
    void shouldWriteTxResponseWithSignedStatus()
    {
        final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight().wrap(page, SLOT);
        response.id(0xFFFF).status(NetifResponseStatus.DROPPED);
        assertBytes(SLOT, "ffff" + "feff");
        assertEquals(0xFFFF, response.id());
        assertEquals(-2, response.status());
        assertEquals("DROPPED", NetifResponseStatus.statusString(response.status()));
    }

    @Test
    void shouldWriteRxRequestAndResponse()
    {
        final NetifRxRequestFlyweight request = new NetifRxRequestFlyweight().wrap(page, SLOT);
        request.id(0x8001).gref(0x01020304);
        assertBytes(SLOT, "0180" + "0000" + "04030201");
        assertEquals(0x8001, request.id());
        assertEquals(0x01020304, request.gref());

        final NetifRxResponseFlyweight response = new NetifRxResponseFlyweight().wrap(page, SLOT + 8);
        response.id(7).offset(0x0800).flags(NetifRxFlags.GSO_PREFIX | NetifRxFlags.DATA_VALIDATED).status(1514);
        assertBytes(SLOT + 8, "0700" + "0008" + "1100" + "ea05");
        assertEquals(7, response.id());
        assertEquals(0x0800, response.offset());
        assertEquals(0x11, response.flags());
        assertEquals(1514, response.status());
        response.status(NetifResponseStatus.ERROR);
        assertEquals(-1, response.status());
    }

    @Test
    void shouldWriteExtraInfoGso()
    {
        final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight().wrap(page, SLOT);
        extra.type(NetifConstants.EXTRA_TYPE_GSO).flags(NetifConstants.EXTRA_FLAG_MORE).gsoSize(1448)
            .gsoType(NetifConstants.GSO_TYPE_TCPV6).gsoFeatures(0xFFFF);
        assertBytes(SLOT, "01" + "01" + "a805" + "02" + "00" + "ffff");
        assertEquals(1, extra.type());
        assertEquals(1, extra.flags());
        assertEquals(1448, extra.gsoSize());
        assertEquals(2, extra.gsoType());
        assertEquals(0xFFFF, extra.gsoFeatures());
    }

    @Test
    void shouldReachTheSameSlotByRingIndexAsByOffset()
    {
        final FrontRing ring = NetifTxRing.front(page);
        final int index = 0xFFFF_FFFF; // free-running: wraps to slot size - 1
        final NetifTxRequestFlyweight byIndex = new NetifTxRequestFlyweight().wrap(ring, index);
        byIndex.gref(0x0A0B0C0D).offset(0x10).flags(0).id(0x4321).size(60);
        final int slot = ring.requestOffset(index);
        assertEquals(64 + (NetifTxRing.SIZE - 1) * NetifTxRing.SLOT_LENGTH, slot);
        assertBytes(slot, "0d0c0b0a" + "1000" + "0000" + "2143" + "3c00");
        final NetifTxRequestFlyweight byOffset = new NetifTxRequestFlyweight().wrap(page, slot);
        assertEquals(0x0A0B0C0D, byOffset.gref());
        assertEquals(0x4321, byOffset.id());
        assertEquals(ring.buffer().addressOffset() + slot, ring.slotAddress(index));
    }

    @Test
    void shouldRefuseASlotOutsideTheBufferOrOnTheHeap()
    {
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        assertThrows(IndexOutOfBoundsException.class, () -> request.wrap(page, 4096 - 11));
        assertThrows(IndexOutOfBoundsException.class, () -> request.wrap(page, -1));
        assertThrows(IllegalArgumentException.class, () -> request.wrap(new UnsafeBuffer(new byte[4096]), 0));
        request.wrap(page, 4096 - 12); // the last whole slot is fine
    }

    @Test
    void shouldNameStatuses()
    {
        assertEquals("ERROR", NetifResponseStatus.statusString(-1));
        assertEquals("OKAY", NetifResponseStatus.statusString(0));
        assertEquals("NULL", NetifResponseStatus.statusString(1));
        assertEquals("LENGTH", NetifResponseStatus.statusString(60));
        assertEquals("UNKNOWN", NetifResponseStatus.statusString(-3));
    }

    private void assertBytes(final int offset, final String hex)
    {
        final StringBuilder actual = new StringBuilder();
        for (int i = 0; i < hex.length() / 2; i++)
        {
            actual.append(String.format("%02x", page.getByte(offset + i) & 0xFF));
        }
        assertEquals(hex, actual.toString());
    }
}
