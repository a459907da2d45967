package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stress: backend threads copy through {@link GrantAccess} (which marks reading/writing as Xen does) while the
 * owner grants and ends the same ref over and over. Whenever {@code endAccess} says OK, no copy may be between its
 * mark and its unmark: that is what lets the guest reuse the ref and its page.
 * <p>
 * Overlap is made by construction first (a copy is held between mark and unmark by a latch while endAccess runs),
 * so the property is checked even when the machine is too busy for the free-running stress to interleave.
 */
class GrantEndAccessConcurrencyTest
{
    private static final int BACKEND = 1;
    private static final int REF = 9;
    private static final long FRAME = 0x1234;

    @ParameterizedTest(name = "v{0}, {1} backend(s), {2} rounds")
    @CsvSource({"1, 1, 1000000", "2, 1, 1000000", "1, 2, 100000", "2, 2, 100000"})
    void shouldNeverEndAccessWhileACopyIsInProgress(final int version, final int backends, final int rounds)
        throws InterruptedException
    {
        final GrantTable table = version == 1 ? new GrantTableV1(GrantTestSupport.pages(1)) :
            new GrantTableV2(GrantTestSupport.pages(1), GrantTestSupport.pages(1));
        final AtomicInteger copiesInside = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong copies = new AtomicLong();
        final AtomicReference<Throwable> peerFailure = new AtomicReference<>();
        final InstrumentedMemory memory = new InstrumentedMemory(copiesInside);

        // deterministic overlap: hold one write copy and one read copy in progress while the owner ends access
        long stillInUse = endAccessWhileACopyIsHeld(table, memory, copiesInside, true) +
            endAccessWhileACopyIsHeld(table, memory, copiesInside, false);

        final List<Thread> peers = new ArrayList<>();
        for (int b = 0; b < backends; b++)
        {
            final GrantAccess access = new GrantAccess(table, BACKEND, memory);
            final Thread peer = new Thread(() -> copyUntilStopped(access, memory, copiesInside, stop, copies),
                "backend-" + b);
            peer.setUncaughtExceptionHandler((thread, ex) -> peerFailure.set(ex));
            peers.add(peer);
            peer.start();
        }

        long regrantWaits = 0;
        try
        {
            // keep going past rounds until the backends really copied (bounded by iterations, not by a clock)
            for (int round = 0; round < rounds || copies.get() <= rounds / 1000; round++)
            {
                int granted;
                while ((granted = table.permitAccess(REF, BACKEND, FRAME, (round & 7) == 0)) ==
                    GrantResult.STILL_IN_USE && version == 2)
                {
                    regrantWaits++; // v2: a backend that raced with the last end still backs off its status mark
                }
                assertEquals(GrantResult.OK, granted, "round " + round);
                for (int spin = round & 15; spin > 0; spin--)
                {
                    Thread.onSpinWait(); // let a copy start on some rounds
                }
                int result;
                while ((result = table.endAccess(REF)) == GrantResult.STILL_IN_USE)
                {
                    stillInUse++;
                }
                assertEquals(GrantResult.OK, result);
                final int inside = copiesInside.get();
                if (inside != 0)
                {
                    throw new AssertionError("round " + round + ": endAccess returned OK while " + inside +
                        " copy(ies) were between mark and unmark");
                }
            }
        }
        finally
        {
            stop.set(true);
            for (final Thread peer : peers)
            {
                peer.join();
            }
        }
        if (peerFailure.get() != null)
        {
            throw new AssertionError("backend thread failed", peerFailure.get());
        }
        // the race was really exercised: copies overlapped with ends, and ends had to wait for copies
        assertTrue(copies.get() > rounds / 1000, "copies=" + copies.get());
        assertTrue(stillInUse > 0, "endAccess never met a copy in progress");
        assertEquals(0, table.activePins.get(REF));
        System.out.printf("v%d, %d backend(s): %d rounds, %d copies, %d ends met a copy, %d re-grants waited%n",
            version, backends, rounds, copies.get(), stillInUse, regrantWaits);
    }

    private static void copyUntilStopped(
        final GrantAccess access,
        final InstrumentedMemory memory,
        final AtomicInteger copiesInside,
        final AtomicBoolean stop,
        final AtomicLong copies)
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer destination = new UnsafeBuffer(new byte[64])
        {
            @Override
            public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
            {
                super.putBytes(index, srcBuffer, srcIndex, length);
                copiesInside.decrementAndGet(); // the read copy is done; unmark follows
            }
        };
        int i = 0;
        while (!stop.get())
        {
            final int result = (i++ & 1) == 0 ? access.copyToGrant(REF, 0, source, 0, 64) :
                access.copyFromGrant(REF, 0, destination, 0, 64);
            if (result == GrantConstants.GNTST_OKAY)
            {
                copies.incrementAndGet();
            }
            else if (result != GrantConstants.GNTST_PERMISSION_DENIED && result != GrantConstants.GNTST_GENERAL_ERROR)
            {
                throw new AssertionError("unexpected copy result " + GrantConstants.gntstString(result));
            }
        }
    }

    /**
     * Grants REF, starts a copy on another thread and holds it just after GrantAccess marked the entry; endAccess
     * must then refuse (STILL_IN_USE) until the copy is released. Returns how many ends met the held copy.
     */
    private static long endAccessWhileACopyIsHeld(
        final GrantTable table, final InstrumentedMemory memory, final AtomicInteger copiesInside, final boolean write)
        throws InterruptedException
    {
        assertEquals(GrantResult.OK, table.permitAccess(REF, BACKEND, FRAME, false));
        final CountDownLatch marked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        memory.holdNext(marked, release);
        final AtomicInteger copyResult = new AtomicInteger(Integer.MIN_VALUE);
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        final UnsafeBuffer destination = new UnsafeBuffer(new byte[64])
        {
            @Override
            public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
            {
                super.putBytes(index, srcBuffer, srcIndex, length);
                copiesInside.decrementAndGet(); // the read copy is done; unmark follows
            }
        };
        final Thread copier = new Thread(() -> copyResult.set(write ?
            access.copyToGrant(REF, 0, new UnsafeBuffer(new byte[64]), 0, 64) :
            access.copyFromGrant(REF, 0, destination, 0, 64)), "held-copy");
        copier.start();
        long stillInUse = 0;
        try
        {
            assertTrue(marked.await(60, TimeUnit.SECONDS), "held copy never reached the frame lookup");
            assertEquals(1, copiesInside.get());
            for (int attempt = 0; attempt < 3; attempt++)
            {
                final int result = table.endAccess(REF);
                assertEquals(GrantResult.STILL_IN_USE, result,
                    "endAccess must not succeed while a " + (write ? "write" : "read") + " copy is in progress");
                stillInUse++;
            }
        }
        finally
        {
            release.countDown();
            copier.join(60_000);
        }
        assertEquals(GrantConstants.GNTST_OKAY, copyResult.get());
        assertEquals(0, copiesInside.get());
        int result;
        while ((result = table.endAccess(REF)) == GrantResult.STILL_IN_USE)
        {
            Thread.onSpinWait(); // v2: the copier may still be backing off its status mark
        }
        assertEquals(GrantResult.OK, result);
        return stillInUse;
    }

    /** Guest memory that counts copies between GrantAccess's mark (frame lookup) and the end of the copy. */
    private static final class InstrumentedMemory implements FrameMapper
    {
        private final AtomicInteger copiesInside;
        private final UnsafeBuffer buffer;
        private volatile CountDownLatch holdMarked;
        private volatile CountDownLatch holdRelease;

        void holdNext(final CountDownLatch marked, final CountDownLatch release)
        {
            holdRelease = release;
            holdMarked = marked;
        }

        InstrumentedMemory(final AtomicInteger copiesInside)
        {
            this.copiesInside = copiesInside;
            this.buffer = new UnsafeBuffer(GrantTestSupport.pages(1))
            {
                @Override
                public void putBytes(
                    final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
                {
                    super.putBytes(index, srcBuffer, srcIndex, length);
                    copiesInside.decrementAndGet(); // the write copy is done; unmark follows
                }
            };
        }

        @Override
        public long pageOffset(final long frame)
        {
            copiesInside.incrementAndGet(); // GrantAccess looks the frame up only after marking the entry
            final CountDownLatch marked = holdMarked;
            if (marked != null)
            {
                final CountDownLatch release = holdRelease;
                holdMarked = null;
                marked.countDown();
                try
                {
                    release.await(); // hold this copy between mark and unmark while the owner tries to end
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return frame == FRAME ? 0 : -1;
        }

        @Override
        public AtomicBuffer buffer()
        {
            return buffer;
        }
    }
}
