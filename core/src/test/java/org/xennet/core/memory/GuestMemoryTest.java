package org.xennet.core.memory;

import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestMemoryTest
{
    @Test
    void shouldNumberPagesFromTheFirstFrameAndMapFramesBack()
    {
        final GuestMemory memory = new GuestMemory(4, 0x1_0000_0000L);
        assertEquals(4 * 4096, memory.buffer().capacity());
        assertEquals(0, memory.buffer().addressOffset() % 4096);
        assertEquals(0x1_0000_0003L, memory.frame(3));
        assertEquals(3 * 4096, memory.pageOffset(3));
        assertEquals(0x1_0000_0002L, memory.frameOfOffset(2 * 4096 + 17));
        assertEquals(2 * 4096L, memory.pageOffset(0x1_0000_0002L));
        assertEquals(-1, memory.pageOffset(0x1_0000_0004L));
        assertEquals(-1, memory.pageOffset(0xFFFF_FFFFL));
        assertEquals(4096, memory.page(1).capacity());
    }

    @Test
    void shouldRejectBadArgumentsNamingTheValue()
    {
        assertEquals("page count out of range: pageCount=0",
            assertThrows(IllegalArgumentException.class, () -> new GuestMemory(0, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> new GuestMemory(2, 0).frame(2));
    }

    @Test
    void shouldShareAMappedFileWithASecondMapping(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("guest.mem");
        try (GuestMemory memory = GuestMemory.mapped(file, 2, 0x10))
        {
            final AtomicBuffer buffer = memory.buffer();
            buffer.putLong(4096 + 8, 0x1122334455667788L);
            assertEquals(0x10 + 1, memory.frame(1));
            assertEquals(2 * 4096, Files.size(file));
        }
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals((byte)0x88, bytes[4096 + 8]);
    }
}
