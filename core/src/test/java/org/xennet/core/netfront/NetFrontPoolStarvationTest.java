package org.xennet.core.netfront;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ungrantable pages never starve the pools: with grant table v1 and guest pages 0..3 below 2^32 and 4..7 above,
 * refill and claim must keep reaching the grantable pages (the ungrantable ones leave the pool, counted), and a
 * pool with no grantable page says FRAME_OUT_OF_RANGE every time.
 */
class NetFrontPoolStarvationTest
{
    /** Pages 0..3 have frames just below 2^32; pages 4.. lie above (v1 cannot grant them). */
    private static final long STRADDLING_FIRST_FRAME = 0x1_0000_0000L - 4;

    private final PacketSinks.Counting sink = new PacketSinks.Counting();

    private NetDevice device(final NetFrontConfig config, final long firstFrame)
    {
        final GuestDomain guest = GuestDomain.create(1, 1, 2 + 512, 64, firstFrame, 2, 0x1000);
        final NetDevice device = new NetDevice(guest, config.backendDomid(0), sink);
        assertEquals(NetFrontResult.OK, device.open());
        return device;
    }

    @Test
    void shouldRefillWithTheGrantablePagesOnEveryRound()
    {
        final NetDevice device = device(new NetFrontConfig().rxBufferFirstPage(0).rxBufferCount(8)
            .txBufferFirstPage(8).txBufferCount(0), STRADDLING_FIRST_FRAME);
        final NetFront front = device.front();
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[100]);
        for (int round = 0; round < 4; round++)
        {
            assertEquals(4, front.refillRx(), "round " + round); // pages 0..3, wherever they are in the pool
            for (int i = 0; i < 4; i++)
            {
                assertEquals(PacketSink.ACCEPTED, device.back().deliver(packet, 0, 100), "round " + round);
            }
            assertEquals(4, front.pollRx(null, 64));
        }
        assertEquals(16, front.rxPackets());
        assertEquals(4, front.rxPoolUngrantable()); // pages 4..7 left the pool, once each
        assertEquals(4, front.rxPoolAvailable());
        device.close();
        assertEquals(0, device.guest().allocator().used());
    }

    @Test
    void shouldClaimTheGrantableBuffersWhileAnyIsFree()
    {
        final NetDevice device = device(new NetFrontConfig().rxBufferFirstPage(8).rxBufferCount(8)
            .txBufferFirstPage(0).txBufferCount(8).txBufferPages(1), STRADDLING_FIRST_FRAME);
        final NetFront front = device.front();
        final TxClaim claim = new TxClaim();
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 2; i++) // two good buffers free each round: both claims must succeed
            {
                assertEquals(60, front.tryClaim(60, claim), "round " + round + " claim " + i);
                assertEquals(1, front.commit(claim, 60), "round " + round + " claim " + i);
            }
            assertEquals(2, device.back().pollTx(64));
            assertEquals(2, front.pollTx(null, 64));
        }
        assertEquals(8, front.txPackets());
        assertEquals(4, front.txPoolUngrantable());
        device.close();
    }

    @Test
    void shouldSayFrameOutOfRangeEveryTimeWhenNoPageIsGrantable()
    {
        final NetDevice device = device(new NetFrontConfig().rxBufferFirstPage(8).rxBufferCount(8)
            .txBufferFirstPage(16).txBufferCount(4).txBufferPages(1), STRADDLING_FIRST_FRAME);
        final NetFront front = device.front();
        final TxClaim claim = new TxClaim();
        for (int i = 0; i < 3; i++)
        {
            assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.refillRx());
            assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.tryClaim(60, claim));
        }
        assertEquals(8, front.rxPoolUngrantable());
        assertEquals(4, front.txPoolUngrantable());
        device.close();
        // reopened under v1 the pages are tried again (and leave the pool again)
        assertEquals(NetFrontResult.OK, device.open());
        assertEquals(0, front.rxPoolUngrantable());
        assertEquals(NetFrontResult.FRAME_OUT_OF_RANGE, front.refillRx());
        device.close();
    }
}
