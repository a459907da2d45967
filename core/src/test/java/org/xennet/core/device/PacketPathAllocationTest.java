package org.xennet.core.device;

import java.lang.management.ManagementFactory;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxFragments;
import org.xennet.core.netfront.RxFragmentsHandler;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.netfront.TxCompletionHandler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot path allocates nothing: after warm-up, a loop of claim/commit, transmit, offer, netback poll and
 * deliver, pollTx, refillRx and pollRx allocates no bytes on this thread (a smoke check; the bench module's
 * JMH {@code -prof gc} run is the measurement).
 */
class PacketPathAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final TxClaim claim = new TxClaim();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[9000]);
    private long completed;
    private long received;
    private final TxCompletionHandler txHandler = this::onTxComplete;
    private final RxPacketHandler rxHandler = this::onPacket;

    private void onTxComplete(final int offset, final int length, final int status)
    {
        completed++;
    }

    private void onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        received++;
    }

    private final RxFragmentsHandler fragmentsHandler = this::onFragments;

    private void onFragments(final RxFragments packet)
    {
        received++;
    }

    @Test
    void shouldNotAllocateOnTransmitPollAndRefill()
    {
        final Loopback loopback = new Loopback(2, 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, loopback.open());
        final NetFront a = loopback.a().front();
        final NetFront b = loopback.b().front();
        final NetBack backA = loopback.a().back();
        round(a, b, backA, 20_000); // warm-up: let the JIT compile the path
        round(a, b, backA, 20_000);
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        round(a, b, backA, 20_000);
        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, allocated, "bytes allocated on the hot path");
        assertTrue(received > 30_000, "received " + received);
        assertEquals(completed, received);
        loopback.close();
    }

    private void round(final NetFront a, final NetFront b, final NetBack backA, final int packets)
    {
        for (int i = 0; i < packets; i++)
        {
            final int length = (i % 10) == 0 ? 6000 : 60 + (i % 1400);
            final int rc;
            switch (i % 3)
            {
                case 0:
                    rc = a.tryClaim(length, claim) > 0 ? a.commit(claim, length) : -1;
                    break;
                case 1:
                    rc = a.offer(payload, 0, length, claim);
                    break;
                default:
                    rc = a.transmit(Loopback.appOffset(i % 60) + (i % 4000), length, (i & 4) != 0); // xmit_more
                    break;
            }
            if (rc < 0 && claim.isClaimed())
            {
                a.abort(claim);
            }
            a.flushTx();
            b.refillRx();
            backA.pollTx(256);
            a.pollTx(txHandler, 256);
            if ((i & 1) == 0)
            {
                b.pollRx(rxHandler, 256);
            }
            else
            {
                b.pollRxFragments(fragmentsHandler, 256); // scatter-gather
            }
        }
    }
}
