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
 * The hot path allocates nothing: after a warm-up that lasts until allocation is stable, a loop of claim/commit, transmit, offer, netback poll and
 * deliver, pollTx, refillRx and pollRx allocates no bytes on this thread (a smoke check; the bench module's
 * JMH {@code -prof gc} run is the measurement).
 */
class PacketPathAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    /** Rounds in a row without allocation that count as warmed up. */
    private static final int STABLE_ROUNDS = 5;
    /** A safety net only: warm-up normally ends after a few seconds even on a loaded machine. */
    private static final long WARM_UP_LIMIT_NS = 120_000_000_000L;

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
    @org.junit.jupiter.api.Timeout(300)
    void shouldNotAllocateOnTransmitPollAndRefill()
    {
        final Loopback loopback = new Loopback(2, 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, loopback.open());
        final NetFront a = loopback.a().front();
        final NetFront b = loopback.b().front();
        final NetBack backA = loopback.a().back();
        round(a, b, backA, 20_000); // first warm-up: let the JIT compile the path
        // Warm-up until allocation is stable: on a loaded machine the JIT may still be compiling (interpreted or
        // C1 code allocates what C2's escape analysis removes) for many rounds. Stable means STABLE_ROUNDS rounds
        // in a row without a byte allocated; a path that really allocates never gets there and fails below.
        int cleanInARow = 0;
        int warmUpRounds = 0;
        final long warmUpDeadline = System.nanoTime() + WARM_UP_LIMIT_NS;
        while (cleanInARow < STABLE_ROUNDS && System.nanoTime() - warmUpDeadline < 0)
        {
            final long start = THREADS.getCurrentThreadAllocatedBytes();
            round(a, b, backA, 2_000);
            cleanInARow = THREADS.getCurrentThreadAllocatedBytes() == start ? cleanInARow + 1 : 0;
            warmUpRounds++;
        }
        assertEquals(STABLE_ROUNDS, cleanInARow, "allocation never stable after " + warmUpRounds + " rounds");
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        round(a, b, backA, 20_000);
        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, allocated, "bytes allocated on the hot path (after " + warmUpRounds + " warm-up rounds)");
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
