package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrantTableV2Test
{
    private static final int BACKEND = 1;

    private final AtomicBuffer frames = GrantTestSupport.pages(1);
    private final AtomicBuffer statusFrames = GrantTestSupport.pages(1);
    private final GrantTableV2 table = new GrantTableV2(frames, statusFrames);
    private final GrantRefAllocator allocator = new GrantRefAllocator(table.entryCount());
    private final GrantEntryV2Flyweight entry = new GrantEntryV2Flyweight();
    private final GrantStatusFlyweight status = new GrantStatusFlyweight();

    @AfterEach
    void shouldReturnEveryRef()
    {
        assertEquals(0, allocator.used(), "refs leaked by the test");
    }

    @Test
    void shouldHave256EntriesPerFrameAnd2048StatusesPerFrame()
    {
        assertEquals(2, table.version());
        assertEquals(256, table.entryCount());
        assertEquals(1, GrantEntryV2Descriptor.statusFrameCount(8));
        assertEquals(2, GrantEntryV2Descriptor.statusFrameCount(9));
        assertThrows(IllegalArgumentException.class,
            () -> new GrantTableV2(GrantTestSupport.pages(9), GrantTestSupport.pages(1)));
        assertEquals(9 * 256, new GrantTableV2(GrantTestSupport.pages(9), GrantTestSupport.pages(2)).entryCount());
    }

    @Test
    void shouldGrantFramesOnBothSidesOf2To32()
    {
        final long[] frameValues = {0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L, -1L};
        for (final long frame : frameValues)
        {
            final int ref = allocator.allocate();
            assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, frame, false));
            entry.wrap(frames, GrantEntryV2Descriptor.entryOffset(ref));
            assertEquals(frame, entry.frame());
            assertEquals(GrantFlags.PERMIT_ACCESS, entry.flags());
            assertEquals(BACKEND, entry.domid());
            assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
        }
    }

    @Test
    void shouldWriteSubPageWindowAndRefuseWindowsOutsideThePage()
    {
        final int ref = allocator.allocate();
        final byte[] before = GrantTestSupport.bytes(frames);
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitSubPageAccess(ref, BACKEND, 5, 4000, 97, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitSubPageAccess(ref, BACKEND, 5, -1, 10, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitSubPageAccess(ref, BACKEND, 5, 0, -1, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitSubPageAccess(ref, BACKEND, 5, Integer.MAX_VALUE, 2, false));
        assertEquals(GrantResult.BAD_REF, table.permitSubPageAccess(256, BACKEND, 5, 0, 2, false));
        assertArrayEquals(before, GrantTestSupport.bytes(frames));

        assertEquals(GrantResult.OK, table.permitSubPageAccess(ref, BACKEND, 0x1_0000_0005L, 4000, 96, true));
        entry.wrap(frames, GrantEntryV2Descriptor.entryOffset(ref));
        assertEquals(GrantFlags.PERMIT_ACCESS | GrantFlags.SUB_PAGE | GrantFlags.READONLY, entry.flags());
        assertEquals(4000, entry.pageOff());
        assertEquals(96, entry.length());
        assertEquals(0x1_0000_0005L, entry.frame());
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldWriteTransitiveEntry()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitTransitiveAccess(ref, BACKEND, 3, 0xFFFF_FFFE, false));
        entry.wrap(frames, GrantEntryV2Descriptor.entryOffset(ref));
        assertEquals(GrantFlags.TRANSITIVE, entry.flags());
        assertEquals(3, entry.transDomid());
        assertEquals(0xFFFF_FFFE, entry.gref());
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitTransitiveAccess(ref + 1, BACKEND, 0x1_0000, 1, false));
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldReportStillInUseFromStatusAndInvalidateEntryAnyway()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 0x1_0000_0000L, false));
        status.wrap(statusFrames, GrantEntryV2Descriptor.statusOffset(ref)).status(GrantFlags.WRITING);
        assertTrue(table.isInUse(ref));
        assertEquals(GrantResult.STILL_IN_USE, allocator.endAccessAndFree(table, ref));
        assertTrue(allocator.isAllocated(ref));
        entry.wrap(frames, GrantEntryV2Descriptor.entryOffset(ref));
        assertEquals(0, entry.flags(), "v2: flags cleared first, so no new mapping can start");
        assertEquals(GrantResult.STILL_IN_USE, table.permitAccess(ref, BACKEND, 1, false), "no regrant while mapped");
        status.status(0);
        assertFalse(table.isInUse(ref));
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldRefuseRegrantOfLiveEntryWithoutWriting()
    {
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, BACKEND, 1, false));
        final byte[] before = GrantTestSupport.bytes(frames);
        assertEquals(GrantResult.ALREADY_GRANTED, table.permitAccess(ref, BACKEND, 2, false));
        assertEquals(GrantResult.ALREADY_GRANTED, table.permitSubPageAccess(ref, BACKEND, 2, 0, 1, false));
        assertEquals(GrantResult.ALREADY_GRANTED, table.permitTransitiveAccess(ref, BACKEND, 2, 2, false));
        assertArrayEquals(before, GrantTestSupport.bytes(frames));
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
    }

    @Test
    void shouldRefuseBadRefAndDomid()
    {
        assertEquals(GrantResult.BAD_REF, table.permitAccess(256, BACKEND, 1, false));
        assertEquals(GrantResult.BAD_ARGUMENT, table.permitAccess(9, 0x1_0000, 1, false));
        assertEquals(GrantResult.BAD_REF, table.endAccess(-1));
        assertFalse(table.isInUse(-1));
    }
}
