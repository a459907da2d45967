package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class GrantRefAllocatorTest
{
    @Test
    void shouldSkipReservedGrantRefs()
    {
        final GrantRefAllocator allocator = new GrantRefAllocator(512);
        assertEquals(504, allocator.capacity());
        assertEquals(GrantConstants.NR_RESERVED_ENTRIES, allocator.allocate());
        assertEquals(9, allocator.allocate());
        allocator.free(8);
        allocator.free(9);
        assertEquals(0, allocator.used());
    }

    @Test
    void shouldReturnNoFreeRefsWhenExhaustedAndRecover()
    {
        final GrantRefAllocator allocator = new GrantRefAllocator(12);
        final List<Integer> refs = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            refs.add(allocator.allocate());
        }
        assertEquals(List.of(8, 9, 10, 11), refs);
        assertEquals(GrantResult.NO_FREE_REFS, allocator.allocate());
        assertEquals(GrantResult.NO_FREE_REFS, allocator.allocate());
        assertEquals(4, allocator.used(), "a failed allocation changes nothing");
        allocator.free(10);
        assertEquals(10, allocator.allocate());
        for (final int ref : refs)
        {
            allocator.free(ref);
        }
        assertEquals(0, allocator.used());
    }

    @Test
    void shouldRefuseDoubleFreeReservedAndOutOfRangeRefs()
    {
        final GrantRefAllocator allocator = new GrantRefAllocator(16);
        final int ref = allocator.allocate();
        allocator.free(ref);
        final IllegalStateException twice = assertThrows(IllegalStateException.class, () -> allocator.free(ref));
        assertTrue(twice.getMessage().contains("ref=" + ref), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> allocator.free(GrantConstants.RESERVED_XENSTORE));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(16));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(-1));
        assertThrows(IllegalArgumentException.class, () -> new GrantRefAllocator(8));
        assertEquals(0, allocator.used());
    }

    @Test
    void shouldCountExactlyUnderRandomAllocateAndFree()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final GrantRefAllocator allocator = new GrantRefAllocator(64);
        final BitSet held = new BitSet();
        for (int i = 0; i < 20_000; i++)
        {
            if (random.nextBoolean())
            {
                final int ref = allocator.allocate();
                if (held.cardinality() == allocator.capacity())
                {
                    assertEquals(GrantResult.NO_FREE_REFS, ref, "seed=" + seed);
                }
                else
                {
                    assertTrue(ref >= 8 && ref < 64 && !held.get(ref), "seed=" + seed + " ref=" + ref);
                    held.set(ref);
                }
            }
            else if (!held.isEmpty())
            {
                final int ref = held.nextSetBit(random.nextInt(64));
                final int victim = ref < 0 ? held.nextSetBit(0) : ref;
                allocator.free(victim);
                held.clear(victim);
            }
            assertEquals(held.cardinality(), allocator.used(), "seed=" + seed);
        }
        held.stream().forEach(allocator::free);
        assertEquals(0, allocator.used(), "seed=" + seed);
        assertFalse(allocator.isAllocated(8));
    }

    @Test
    void shouldKeepRefAllocatedWhenEndAccessFindsItInUse()
    {
        final GrantTableV1 table = new GrantTableV1(GrantTestSupport.pages(1));
        final GrantRefAllocator allocator = new GrantRefAllocator(table.entryCount());
        final int ref = allocator.allocate();
        assertEquals(GrantResult.OK, table.permitAccess(ref, 1, 5, false));
        new GrantEntryV1Flyweight().wrap(table.frames(), GrantEntryV1Descriptor.entryOffset(ref))
            .flags(GrantFlags.PERMIT_ACCESS | GrantFlags.READING);
        assertEquals(GrantResult.STILL_IN_USE, allocator.endAccessAndFree(table, ref));
        assertEquals(1, allocator.used());
        assertThrows(IllegalStateException.class, () -> allocator.endAccessAndFree(table, 3));
        new GrantEntryV1Flyweight().wrap(table.frames(), GrantEntryV1Descriptor.entryOffset(ref))
            .flags(GrantFlags.PERMIT_ACCESS);
        assertEquals(GrantResult.OK, allocator.endAccessAndFree(table, ref));
        assertEquals(0, allocator.used());
    }
}
