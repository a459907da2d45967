package org.xennet.core.netfront;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;

/**
 * Scatter-gather rx: {@link NetFront#pollRxFragments} hands a packet's fragments over in place in the posted rx
 * pages (no reassembly copy), {@link RxFragments#copyTo} gathers them, and the pages go back to the pool only after
 * the handler returned.
 */
class RxFragmentsTest
{
    private static final int RX_BUFFERS = 16;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldHandOverEachFragmentInPlaceAndGatherThemOnRequest(final int grantVersion)
    {
        final GuestDomain guest = GuestDomain.create(1, grantVersion, 2 + 512, 64, 0x2000, 2, 0x1000);
        final NetDevice device = new NetDevice(guest, new NetFrontConfig().backendDomid(0)
            .rxBufferFirstPage(8).rxBufferCount(RX_BUFFERS).txBufferFirstPage(32).txBufferCount(4).txBufferPages(3),
            new PacketSinks.Counting());
        assertEquals(NetFrontResult.OK, device.open());
        final NetFront front = device.front();
        assertEquals(RX_BUFFERS, front.refillRx());

        final byte[] payload = new byte[9000];
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)(i * 31 + 7);
        }
        assertEquals(PacketSink.ACCEPTED, device.back().deliver(new UnsafeBuffer(payload), 0, payload.length));
        assertEquals(PacketSink.ACCEPTED, device.back().deliver(new UnsafeBuffer(payload), 0, 60));

        final List<int[]> fragments = new ArrayList<>();
        final List<byte[]> gathered = new ArrayList<>();
        final int[] poolDuringCall = new int[2];
        final RxFragmentsHandler handler = packet ->
        {
            assertSame(front.memory().buffer(), packet.buffer());
            final int[] lengths = new int[packet.count()];
            for (int i = 0; i < packet.count(); i++)
            {
                lengths[i] = packet.length(i);
                final int page = packet.offset(i) >>> 12;
                assertEquals(true, page >= 8 && page < 8 + RX_BUFFERS, "fragment lies in a posted rx page");
            }
            fragments.add(lengths);
            final byte[] copy = new byte[packet.length()];
            assertEquals(copy.length, packet.copyTo(new UnsafeBuffer(copy), 0));
            gathered.add(copy);
            poolDuringCall[gathered.size() - 1] = front.rxPoolAvailable();
            assertThrows(IndexOutOfBoundsException.class, () -> packet.offset(packet.count()));
            assertThrows(IndexOutOfBoundsException.class, () -> packet.copyTo(new UnsafeBuffer(new byte[10]), 0));
        };
        assertEquals(2, front.pollRxFragments(handler, 256));

        assertArrayEquals(new int[] {4096, 4096, 808}, fragments.get(0));
        assertArrayEquals(payload, gathered.get(0));
        assertArrayEquals(new int[] {60}, fragments.get(1));
        assertEquals(0, poolDuringCall[0], "the packet's pages are held while the handler runs");
        assertEquals(4, front.rxPoolAvailable(), "all four pages back in the pool afterwards (12 stay posted)");
        assertEquals(2, front.rxPackets());
        assertEquals(9060, front.rxBytes());
        device.close();
    }
}
