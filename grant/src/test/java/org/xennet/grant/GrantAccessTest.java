package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrantAccessTest
{
    private static final int FRONTEND = 0;
    private static final int BACKEND = 1;
    private static final long FIRST_FRAME = 0xFFFF_FFFEL; // pages on both sides of 2^32

    private final FrameMapper memory = GrantTestSupport.memory(4, FIRST_FRAME);
    private final AtomicBuffer copy = new UnsafeBuffer(new byte[GrantConstants.PAGE_LENGTH + 16]);

    private static GrantTable table(final int version)
    {
        return version == 1 ? new GrantTableV1(GrantTestSupport.pages(1)) :
            new GrantTableV2(GrantTestSupport.pages(1), GrantTestSupport.pages(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldCopyFromAndToGrantedPage(final int version)
    {
        final GrantTable table = table(version);
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        final long frame = version == 1 ? FIRST_FRAME + 1 : FIRST_FRAME + 2; // v2 reaches beyond 2^32
        final int page = (int)memory.pageOffset(frame);
        memory.buffer().putLong(page + 100, 0x1122_3344_5566_7788L);
        assertEquals(GrantResult.OK, table.permitAccess(9, BACKEND, frame, false));

        assertEquals(GrantConstants.GNTST_OKAY, access.copyFromGrant(9, 100, copy, 3, 8));
        assertEquals(0x1122_3344_5566_7788L, copy.getLong(3));
        copy.putLong(0, 0x0102_0304_0506_0708L);
        assertEquals(GrantConstants.GNTST_OKAY, access.copyToGrant(9, 4088, copy, 0, 8));
        assertEquals(0x0102_0304_0506_0708L, memory.buffer().getLong(page + 4088));
        assertEquals(GrantConstants.GNTST_OKAY, access.copyFromGrant(9, 0, copy, 0, GrantConstants.PAGE_LENGTH));
        assertFalse(table.isInUse(9), "unmarked after the copy");
        assertEquals(GrantResult.OK, table.endAccess(9));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldMarkReadingAndWritingOnlyWhileCopying(final int version)
    {
        final GrantTable table = table(version);
        final int[] seen = {-1, -1};
        final FrameMapper observing = new FrameMapper()
        {
            public long pageOffset(final long frame)
            {
                // called after marking, before the copy: the guest must see the page in use now
                seen[0] = inUseBits(table, 9);
                seen[1] = table.endAccess(9);
                return memory.pageOffset(frame);
            }

            public AtomicBuffer buffer()
            {
                return memory.buffer();
            }
        };
        final GrantAccess access = new GrantAccess(table, BACKEND, observing);
        assertEquals(GrantResult.OK, table.permitAccess(9, BACKEND, FIRST_FRAME, false));
        assertEquals(GrantConstants.GNTST_OKAY, access.copyFromGrant(9, 0, copy, 0, 10));
        assertEquals(GrantFlags.READING, seen[0]);
        assertEquals(GrantResult.STILL_IN_USE, seen[1]);
        assertEquals(0, inUseBits(table, 9));

        if (version == 2)
        {
            assertEquals(GrantResult.OK, table.endAccess(9)); // v2 ended the entry in the callback already
            assertEquals(GrantResult.OK, table.permitAccess(9, BACKEND, FIRST_FRAME, false));
        }
        assertEquals(GrantConstants.GNTST_OKAY, access.copyToGrant(9, 0, copy, 0, 10));
        assertEquals(GrantFlags.READING | GrantFlags.WRITING, seen[0]);
        assertEquals(GrantResult.STILL_IN_USE, seen[1]);
        assertEquals(0, inUseBits(table, 9));
        assertEquals(GrantResult.OK, table.endAccess(9));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldKeepMarksUntilLastOfOverlappingCopiesEnds(final int version)
    {
        final GrantTable table = table(version);
        final int[] afterInner = {-1};
        final GrantAccess inner = new GrantAccess(table, BACKEND, memory);
        final FrameMapper nesting = new FrameMapper()
        {
            public long pageOffset(final long frame)
            {
                // a second backend thread's copy on the same ref starts and ends inside this one
                assertEquals(GrantConstants.GNTST_OKAY, inner.copyToGrant(9, 0, copy, 0, 4));
                afterInner[0] = inUseBits(table, 9);
                return memory.pageOffset(frame);
            }

            public AtomicBuffer buffer()
            {
                return memory.buffer();
            }
        };
        final GrantAccess outer = new GrantAccess(table, BACKEND, nesting);
        assertEquals(GrantResult.OK, table.permitAccess(9, BACKEND, FIRST_FRAME, false));
        assertEquals(GrantConstants.GNTST_OKAY, outer.copyFromGrant(9, 0, copy, 0, 4));
        assertEquals(GrantFlags.READING, afterInner[0], "inner write done, outer read still marked");
        assertEquals(0, inUseBits(table, 9));
        assertEquals(GrantResult.OK, table.endAccess(9));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldReturnNamedErrorsForInvalidUse(final int version)
    {
        final GrantTable table = table(version);
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        final int entries = table.entryCount();
        assertEquals(GrantConstants.GNTST_BAD_GNTREF, access.copyFromGrant(-1, 0, copy, 0, 1));
        assertEquals(GrantConstants.GNTST_BAD_GNTREF, access.copyFromGrant(entries, 0, copy, 0, 1));
        assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyFromGrant(9, 0, copy, 0, 1), "invalid entry");

        assertEquals(GrantResult.OK, table.permitAccess(9, FRONTEND, FIRST_FRAME, false));
        assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyFromGrant(9, 0, copy, 0, 1), "other domid");
        assertEquals(GrantResult.OK, table.permitAccess(10, BACKEND, FIRST_FRAME, true));
        assertEquals(GrantConstants.GNTST_OKAY, access.copyFromGrant(10, 0, copy, 0, 1));
        assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyToGrant(10, 0, copy, 0, 1), "read-only");

        assertEquals(GrantResult.OK, table.permitAccess(11, BACKEND, FIRST_FRAME, false));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(11, -1, copy, 0, 1));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(11, 4095, copy, 0, 2));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(11, 0, copy, 0, -1));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(11, 0, copy, -1, 1));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(11, 0, copy, copy.capacity() - 1, 2));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyToGrant(11, Integer.MAX_VALUE, copy, 0, 2));

        assertEquals(GrantResult.OK, table.permitAccess(12, BACKEND, FIRST_FRAME - 1, false));
        assertEquals(GrantConstants.GNTST_BAD_PAGE, access.copyFromGrant(12, 0, copy, 0, 1), "frame not mapped");

        new GrantEntryV1Flyweight().wrap(table.frames(), 13 * (version == 1 ? 8 : 16))
            .domid(BACKEND).flags(GrantFlags.ACCEPT_TRANSFER);
        assertEquals(GrantConstants.GNTST_PERMISSION_DENIED, access.copyFromGrant(13, 0, copy, 0, 1), "transfer");
        for (int ref = 8; ref < 16; ref++)
        {
            assertFalse(table.isInUse(ref), "no mark left on ref " + ref);
        }
    }

    @Test
    void shouldEnforceSubPageWindowAndRefuseTransitive()
    {
        final GrantTableV2 table = (GrantTableV2)table(2);
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        assertEquals(GrantResult.OK, table.permitSubPageAccess(9, BACKEND, FIRST_FRAME + 3, 1000, 100, false));
        assertEquals(GrantConstants.GNTST_OKAY, access.copyFromGrant(9, 1000, copy, 0, 100));
        assertEquals(GrantConstants.GNTST_OKAY, access.copyToGrant(9, 1050, copy, 0, 50));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(9, 999, copy, 0, 10));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(9, 1000, copy, 0, 101));
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyToGrant(9, 1099, copy, 0, 2));
        // a hostile guest writes a window reaching past the page: refused, not read out of bounds
        new GrantEntryV2Flyweight().wrap(table.frames(), GrantEntryV2Descriptor.entryOffset(9)).length(0xFFFF);
        assertEquals(GrantConstants.GNTST_BAD_COPY_ARG, access.copyFromGrant(9, 4000, copy, 0, 96));

        assertEquals(GrantResult.OK, table.permitTransitiveAccess(10, BACKEND, 3, 9, false));
        assertEquals(GrantConstants.GNTST_GENERAL_ERROR, access.copyFromGrant(10, 0, copy, 0, 1));
        assertFalse(table.isInUse(9));
        assertFalse(table.isInUse(10));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldNeverThrowOrLeaveMarksWhateverTheEntryBytesHold(final int version)
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final GrantTable table = table(version);
        final AtomicBuffer frames = table.frames();
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        final int entryLength = version == 1 ? GrantEntryV1Descriptor.LENGTH : GrantEntryV2Descriptor.LENGTH;
        int okays = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final int ref = random.nextInt(4);
            final int offset = ref * entryLength;
            // random entry bytes, biased towards headers that pass validation so deeper checks run
            for (int b = 0; b < entryLength; b += 4)
            {
                frames.putInt(offset + b, random.nextInt());
            }
            if (random.nextBoolean())
            {
                final int flags = (random.nextInt() & ~(GrantFlags.TYPE_MASK | GrantFlags.IN_USE_MASK)) |
                    GrantFlags.PERMIT_ACCESS;
                frames.putInt(offset, (BACKEND << 16) | (flags & 0xFFFF));
                final long frame = FIRST_FRAME - 1 + random.nextInt(6);
                if (version == 1)
                {
                    frames.putInt(offset + GrantEntryV1Descriptor.FRAME_OFFSET, (int)frame);
                }
                else
                {
                    frames.putLong(offset + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET, frame);
                }
            }
            final int pageOffset = random.nextInt(4200) - 50;
            final int length = random.nextInt(3) == 0 ? random.nextInt(5000) - 10 : random.nextInt(64);
            final int bufferOffset = random.nextInt(copy.capacity() + 20) - 10;
            final int result = random.nextBoolean() ?
                access.copyFromGrant(ref, pageOffset, copy, bufferOffset, length) :
                access.copyToGrant(ref, pageOffset, copy, bufferOffset, length);
            assertTrue(result <= 0 && result >= GrantConstants.GNTST_NO_SPACE, "seed=" + seed + " result=" + result);
            okays += result == GrantConstants.GNTST_OKAY ? 1 : 0;
            assertEquals(table.activePins.get(ref), 0, "seed=" + seed);
            if (version == 2)
            {
                assertFalse(table.isInUse(ref), "seed=" + seed);
            }
        }
        assertTrue(okays > 1000, "fuzzing reached the copy only " + okays + " times, seed=" + seed);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldNotAllocateOnPermitEndAndCopy(final int version)
    {
        final GrantTable table = table(version);
        final GrantAccess access = new GrantAccess(table, BACKEND, memory);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        runHotPath(table, access, 50_000); // warm up: let the JIT settle
        final long before = threads.getThreadAllocatedBytes(threadId);
        runHotPath(table, access, 50_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        // any per-operation allocation would be >= 16 B x 350,000 operations; allow a few hundred bytes of
        // one-off JIT/deoptimisation noise attributed to this thread
        assertTrue(allocated < 1024, "bytes allocated by 50,000 permit/copy/end rounds: " + allocated);
    }

    private void runHotPath(final GrantTable table, final GrantAccess access, final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            final int ref = 8 + (i & 63);
            table.permitAccess(ref, BACKEND, FIRST_FRAME + (i & 1), false);
            access.copyToGrant(ref, i & 1023, copy, 0, 64);
            access.copyFromGrant(ref, 64, copy, 0, 64);
            access.copyFromGrant(ref + 1000, 64, copy, 0, 64);
            table.endAccess(ref);
            table.permitAccess(ref, BACKEND, 0x1_0000_0000L, false);
            table.endAccess(ref);
        }
    }

    private static int inUseBits(final GrantTable table, final int ref)
    {
        if (table instanceof GrantTableV2)
        {
            return ((GrantTableV2)table).statusFrames().getShort(GrantEntryV2Descriptor.statusOffset(ref)) &
                GrantFlags.IN_USE_MASK;
        }
        return table.frames().getShort(GrantEntryV1Descriptor.entryOffset(ref)) & GrantFlags.IN_USE_MASK;
    }
}
