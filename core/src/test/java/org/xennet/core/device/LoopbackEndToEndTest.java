package org.xennet.core.device;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.xennet.core.event.EventChannel;
import org.xennet.core.event.LocalEventChannel;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.netfront.TxCompletionHandler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guest A transmits N packets of mixed sizes (60 B .. 9000 B, single and multi-page) through A's backend into
 * guest B's rx ring; B checks sequence, length and checksum of every packet. Four threads: A transmit, A pollTx,
 * backend, B pollRx+refill. Every wait is on an event channel (no timeouts), so a missed notification hangs the
 * run and fails it.
 * <p>
 * N defaults to 10^7; {@code -Dxennet.e2e.packets=200000} gives a fast local variant.
 */
class LoopbackEndToEndTest
{
    private static final int HEADER_LENGTH = 24; // seq (8), length (4), pad (4), checksum (8)
    private static final long PACKETS = Long.getLong("xennet.e2e.packets", 10_000_000L);
    private static final long SEED = Long.getLong("xennet.e2e.seed", System.nanoTime());

    private volatile boolean stop;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Test
    void shouldDeliverEveryPacketInOrderWithoutLossOrDuplicateAcrossThreads() throws Exception
    {
        final Loopback loopback = new Loopback(1, 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, loopback.open());
        final NetFront frontA = loopback.a().front();
        final NetFront frontB = loopback.b().front();
        final NetBack backA = loopback.a().back();
        final Receiver receiver = new Receiver();

        final Thread[] threads = {
            thread("a-transmit", () -> transmit(frontA)),
            thread("a-poll-tx", () -> pollTx(frontA)),
            thread("backend", () -> backend(backA, loopback.b().back().rxEvent())),
            thread("b-poll-rx", () -> pollRx(frontB, receiver)),
        };
        final long start = System.nanoTime();
        for (final Thread t : threads)
        {
            t.start();
        }
        final long deadline = start + TimeUnit.SECONDS.toNanos(Math.max(60, PACKETS / 20_000));
        while ((receiver.received < PACKETS || frontA.txFreeIds() < NetFrontConfig.MAX_IDS) &&
            failure.get() == null && System.nanoTime() < deadline) // every packet received and completed
        {
            Thread.sleep(5);
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        stop = true;
        frontA.txEvent().close();
        frontB.rxEvent().close();
        for (final Thread t : threads)
        {
            t.join(10_000);
        }
        final String diagnostics = "seed=" + SEED + " packets=" + PACKETS + " received=" + receiver.received +
            " elapsedMs=" + elapsedMs + " " + frontA + " " + backA + " " + frontB + " " + loopback.b().back();
        System.out.println("LoopbackEndToEndTest: " + diagnostics + " bytes=" + receiver.bytes);
        assertNull(failure.get(), diagnostics);
        assertNull(receiver.error, diagnostics);
        assertEquals(PACKETS, receiver.received, diagnostics);
        assertEquals(PACKETS, frontA.txPackets(), diagnostics);
        assertEquals(0, frontA.txErrors() + frontA.txDropped() + frontB.rxErrors() + frontB.rxDropped(), diagnostics);
        assertEquals(PACKETS, backA.txPackets(), diagnostics);
        assertEquals(receiver.bytes, frontB.rxBytes(), diagnostics);
        assertTrue(receiver.multiPage > PACKETS / 50, diagnostics);

        loopback.close();
        assertEquals(0, loopback.a().guest().allocator().used(), "refs still allocated in A");
        assertEquals(0, loopback.b().guest().allocator().used(), "refs still allocated in B");
    }

    // ---- roles ---------------------------------------------------------------------------------------------

    private void transmit(final NetFront front)
    {
        final TxClaim claim = new TxClaim();
        final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
        for (long seq = 0; seq < PACKETS && !stop; seq++)
        {
            final int length = sizeFor(seq);
            int rc;
            while ((rc = front.tryClaim(length, claim)) == NetFrontResult.NO_BUFFERS && !stop)
            {
                idle.idle();
            }
            check(rc == length, "claim", rc);
            fill(claim.buffer(), claim.offset(), seq, length);
            while ((rc = front.commit(claim, length)) == NetFrontResult.RING_FULL && !stop)
            {
                idle.idle();
            }
            if (stop)
            {
                return;
            }
            check(rc > 0, "commit", rc);
            idle.reset();
        }
    }

    private void pollTx(final NetFront front)
    {
        final LocalEventChannel event = (LocalEventChannel)front.txEvent();
        final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
        final TxCompletionHandler handler = (offset, length, status) -> check(status == 0, "tx status", status);
        while (!stop)
        {
            event.consume();
            final int n = front.pollTx(handler, 256);
            check(n >= 0, "pollTx", n);
            if (n == 0 && !event.await(idle))
            {
                return;
            }
        }
    }

    private void backend(final NetBack back, final EventChannel peerRxEvent)
    {
        final EventChannel txEvent = back.txEvent();
        final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
        while (!stop)
        {
            txEvent.consume();
            peerRxEvent.consume();
            final int n = back.pollTx(64);
            check(n >= 0, "backend pollTx", n);
            if (n == 0)
            {
                idle.reset();
                while (!txEvent.pending() && !peerRxEvent.pending() && !stop)
                {
                    idle.idle();
                }
            }
        }
    }

    private void pollRx(final NetFront front, final Receiver receiver)
    {
        final LocalEventChannel event = (LocalEventChannel)front.rxEvent();
        final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
        check(front.refillRx() > 0, "first refill", 0);
        while (!stop && receiver.received < PACKETS)
        {
            event.consume();
            final int n = front.pollRx(receiver, 256);
            check(n >= 0, "pollRx", n);
            final int posted = front.refillRx();
            check(posted >= 0, "refillRx", posted);
            if (n == 0 && posted == 0 && !event.await(idle))
            {
                return;
            }
        }
    }

    // ---- packets -------------------------------------------------------------------------------------------

    /** 80% 60..256 B, 15% 257..1514 B, 5% 1515..9000 B (two or three pages). */
    static int sizeFor(final long seq)
    {
        final long h = mix(SEED + seq);
        final int bucket = (int)((h >>> 33) % 100);
        final int r = (int)(h & 0x7FFF_FFFF);
        if (bucket < 80)
        {
            return 60 + r % 197;
        }
        return bucket < 95 ? 257 + r % 1258 : 1515 + r % 7486;
    }

    static void fill(final MutableDirectBuffer buffer, final int offset, final long seq, final int length)
    {
        long checksum = 0;
        int i = HEADER_LENGTH;
        long word = seq * 0x9E3779B97F4A7C15L;
        for (; i + 8 <= length; i += 8)
        {
            word += 0xBF58476D1CE4E5B9L;
            buffer.putLong(offset + i, word);
            checksum = Long.rotateLeft(checksum, 5) ^ word;
        }
        for (; i < length; i++)
        {
            final byte b = (byte)(seq + i);
            buffer.putByte(offset + i, b);
            checksum = Long.rotateLeft(checksum, 5) ^ b;
        }
        buffer.putLong(offset, seq);
        buffer.putInt(offset + 8, length);
        buffer.putInt(offset + 12, 0);
        buffer.putLong(offset + 16, checksum);
    }

    static long checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        long checksum = 0;
        int i = HEADER_LENGTH;
        for (; i + 8 <= length; i += 8)
        {
            checksum = Long.rotateLeft(checksum, 5) ^ buffer.getLong(offset + i);
        }
        for (; i < length; i++)
        {
            checksum = Long.rotateLeft(checksum, 5) ^ buffer.getByte(offset + i);
        }
        return checksum;
    }

    private static long mix(final long z0)
    {
        long z = z0 * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Checks order, length and checksum; records the first error instead of throwing on the poll thread. */
    static final class Receiver implements RxPacketHandler
    {
        volatile long received;
        long bytes;
        long multiPage;
        volatile String error;

        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            final long expected = received;
            if (null == error)
            {
                final long seq = buffer.getLong(offset);
                if (seq != expected || length != sizeFor(expected) || buffer.getInt(offset + 8) != length ||
                    buffer.getLong(offset + 16) != checksum(buffer, offset, length))
                {
                    error = "packet " + expected + ": seq=" + seq + " length=" + length + " expectedLength=" +
                        sizeFor(expected);
                }
            }
            bytes += length;
            if (length > 4096)
            {
                multiPage++;
            }
            received = expected + 1;
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    private void check(final boolean condition, final String what, final int value)
    {
        if (!condition)
        {
            failure.compareAndSet(null, new AssertionError(what + ": " + NetFrontResult.resultString(value)));
            stop = true;
        }
    }

    private Thread thread(final String name, final Runnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
                stop = true;
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
