package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrantTableV1Test
{
    private static final int BACKEND = 1;

    private final AtomicBuffer frames = GrantTestSupport.pages(1);
    private final GrantTableV1 table = new GrantTableV1(frames);
    private final GrantRefAllocator allocator = new GrantRefAllocator(table.entryCount());
    private final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();

    @AfterEach
    void shouldReturnEveryRef()
    {
        assertEquals(0, allocator.used(), "refs leaked by the test");
    }

    @Test
    void shouldHave512EntriesPerFrame()
    {
        assertEquals(1, table.version());
        assertEquals(512, table.entryCount());
        assertEquals(1024, new GrantTableV1(GrantTestSupport.pages(2)).entryCount());
    }

    @Test
    void shouldWriteEntryLikeGrantTableH()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 0xFFFF_FFFFL, true));
        entry.wrap(frames, GrantEntryV1Descriptor.entryOffset(ref));
        assertEquals(GrantFlags.PERMIT_ACCESS | GrantFlags.READONLY, entry.flags());
        assertEquals(BACKEND, entry.domid());
        assertEquals(0xFFFF_FFFFL, entry.frame());
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
        assertEquals(0, entry.flags());
    }

    @Test
    void shouldRefuseFramesAbove32BitsAndLeaveEntryUntouched()
    {
        final long[] tooBig = {0x1_0000_0000L, 0x1_0000_0001L, 0x7FFF_FFFF_FFFF_FFFFL, -1L, Long.MIN_VALUE};
        final int ref = allocator.allocate();
        // a used-before entry (iPXE: flags 0, domid DOMID_SELF) with a stale frame
        entry.wrap(frames, GrantEntryV1Descriptor.entryOffset(ref)).flags(0).domid(GrantConstants.DOMID_SELF)
            .frame(0xDEAD_BEEFL);
        final byte[] before = GrantTestSupport.bytes(frames);
        for (final long frame : tooBig)
        {
            for (final boolean readOnly : new boolean[] {false, true})
            {
                assertEquals(GrantResult.FRAME_OUT_OF_RANGE, table.permitAccess(ref, BACKEND, frame, readOnly),
                    "frame=" + Long.toHexString(frame));
                assertArrayEquals(before, GrantTestSupport.bytes(frames), "frame=" + Long.toHexString(frame));
            }
        }
        // just below 2^32 works
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 0xFFFF_FFFFL, false));
        assertEquals(0xFFFF_FFFFL, entry.frame());
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldRefuseSubPageAccessAndWriteNothing()
    {
        final int ref = allocator.allocate();
        final byte[] before = GrantTestSupport.bytes(frames);
        assertEquals(GrantResult.NOT_SUPPORTED, table.permitSubPageAccess(ref, BACKEND, 5, 0, 100, false));
        assertArrayEquals(before, GrantTestSupport.bytes(frames));
        allocator.free(ref);
    }

    @Test
    void shouldRefuseBadRefAndDomidWithoutWriting()
    {
        final byte[] before = GrantTestSupport.bytes(frames);
        assertEquals(GrantResult.BAD_REF, table.permitAccess(-1, BACKEND, 1, false));
        assertEquals(GrantResult.BAD_REF, table.permitAccess(512, BACKEND, 1, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitAccess(9, 0x1_0000, 1, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitAccess(9, -1, 1, false));
        assertEquals(GrantResult.BAD_REF, table.endAccess(512));
        assertEquals(GrantResult.BAD_REF, table.endAccess(Integer.MIN_VALUE));
        assertFalse(table.isInUse(512));
        assertArrayEquals(before, GrantTestSupport.bytes(frames));
    }

    @Test
    void shouldRefuseRegrantOfLiveEntry()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 7, false));
        final byte[] before = GrantTestSupport.bytes(frames);
        assertEquals(GrantResult.ALREADY_GRANTED, table.permitAccess(ref, 2, 8, true));
        assertArrayEquals(before, GrantTestSupport.bytes(frames));
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldReportStillInUseAndKeepEntryValidWhilePeerReadsOrWrites()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 7, false));
        entry.wrap(frames, GrantEntryV1Descriptor.entryOffset(ref));
        for (final int bits : new int[] {GrantFlags.READING, GrantFlags.WRITING, GrantFlags.IN_USE_MASK})
        {
            entry.flags(GrantFlags.PERMIT_ACCESS | bits); // what Xen does while it maps the page
            assertTrue(table.isInUse(ref));
            assertEquals(GrantResult.STILL_IN_USE, table.endAccess(ref));
            assertEquals(GrantResult.STILL_IN_USE, allocator.endAccessAndFree(table, ref));
            assertTrue(allocator.isAllocated(ref), "an in-use ref must not return to the pool");
            assertEquals(GrantFlags.PERMIT_ACCESS | bits, entry.flags(), "entry left valid");
            assertEquals(GrantResult.ALREADY_GRANTED, table.permitAccess(ref, BACKEND, 9, false));
        }
        entry.flags(GrantFlags.PERMIT_ACCESS);
        assertFalse(table.isInUse(ref));
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
        assertEquals(0, entry.flags());
        assertEquals(BACKEND, entry.domid(), "domid kept, as Linux's cmpxchg of flags only");
        assertEquals(7, entry.frame());
    }

    @Test
    void shouldRefuseGrantOverEntryStillMarkedInUse()
    {
        final int ref = allocator.allocate();
        entry.wrap(frames, GrantEntryV1Descriptor.entryOffset(ref)).flags(GrantFlags.READING);
        assertEquals(GrantResult.STILL_IN_USE, table.permitAccess(ref, BACKEND, 1, false));
        entry.flags(0);
        allocator.free(ref);
    }

    @Test
    void shouldGiveUpEndAccessAgainstPeerThatKeepsChangingTheWord()
    {
        final int ref = 9;
        final int offset = GrantEntryV1Descriptor.entryOffset(ref);
        final int[] calls = {0};
        final UnsafeBuffer hostile = new UnsafeBuffer(frames)
        {
            @Override
            public int getIntVolatile(final int index)
            {
                calls[0]++;
                final int word = super.getIntVolatile(index);
                super.putIntVolatile(index, word ^ (GrantFlags.PWT << 16)); // the peer flips domid bits each time
                return word;
            }
        };
        final GrantTableV1 attacked = new GrantTableV1(hostile);
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 1, false));
        assertEquals(GrantResult.STILL_IN_USE, attacked.endAccess(ref));
        assertEquals(GrantTableV1.MAX_END_ATTEMPTS, calls[0]);
        assertEquals(GrantFlags.PERMIT_ACCESS, frames.getShort(offset) & 0xFFFF, "entry left valid");
    }

    @Test
    void shouldRejectBadFrameBuffers()
    {
        assertThrows(IllegalArgumentException.class, () -> new GrantTableV1(new UnsafeBuffer(new byte[100])));
        assertThrows(IllegalArgumentException.class, () -> new GrantTableV1(null));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new GrantTableV1(new UnsafeBuffer(GrantTestSupport.pages(2), 0, 6000)));
        assertTrue(ex.getMessage().contains("capacity=6000"), ex.getMessage());
    }

    @Test
    void shouldNameEveryResult()
    {
        assertEquals("FRAME_OUT_OF_RANGE", GrantResult.resultString(GrantResult.FRAME_OUT_OF_RANGE));
        assertEquals("STILL_IN_USE", GrantResult.resultString(GrantResult.STILL_IN_USE));
        for (int code = GrantResult.UNKNOWN_VERSION; code <= GrantResult.OK; code++)
        {
            assertFalse(GrantResult.resultString(code).startsWith("UNKNOWN("), "code " + code);
        }
        assertEquals("UNKNOWN(5)", GrantResult.resultString(5));
    }
}
