package org.xennet.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;

class SharedRingDescriptorTest
{
    private static ProbeOutput probe;

    @BeforeAll
    static void compileProbe()
    {
        final CProgram program = CProgram.compileResources(SharedRingDescriptorTest.class,
            List.of("/c/ring_abi_probe.c"));
        probe = ProbeOutput.parse(program.runForOutput());
    }

    @Test
    void shouldMatchSharedRingHeaderOfBothNetifRings()
    {
        for (final String sring : List.of("struct netif_tx_sring", "struct netif_rx_sring"))
        {
            assertField(sring, "req_prod", SharedRingDescriptor.REQ_PROD_OFFSET, Integer.BYTES);
            assertField(sring, "req_event", SharedRingDescriptor.REQ_EVENT_OFFSET, Integer.BYTES);
            assertField(sring, "rsp_prod", SharedRingDescriptor.RSP_PROD_OFFSET, Integer.BYTES);
            assertField(sring, "rsp_event", SharedRingDescriptor.RSP_EVENT_OFFSET, Integer.BYTES);
            assertField(sring, "pvt", SharedRingDescriptor.PVT_OFFSET, SharedRingDescriptor.PVT_LENGTH);
            assertField(sring, "pvt.pvt_pad", SharedRingDescriptor.PVT_OFFSET, SharedRingDescriptor.PVT_LENGTH);
            assertField(sring, "__pad", SharedRingDescriptor.PAD_OFFSET, SharedRingDescriptor.PAD_LENGTH);
            assertEquals(probe.get("offsetof(" + sring + ",ring)"), SharedRingDescriptor.RING_OFFSET, sring);
            assertEquals(SharedRingDescriptor.HEADER_LENGTH, SharedRingDescriptor.RING_OFFSET);
            assertEquals(SharedRingDescriptor.PAD_OFFSET + SharedRingDescriptor.PAD_LENGTH,
                SharedRingDescriptor.HEADER_LENGTH);
        }
        assertEquals(probe.get("sizeof(RING_IDX)"), Integer.BYTES);
    }

    @Test
    void shouldComputeRingSizeLikeConstRingSize()
    {
        assertEquals(probe.get("__CONST_RING_SIZE(netif_tx,4096)"),
            SharedRingDescriptor.ringSize(4096, (int)probe.get("sizeof(union netif_tx_sring_entry)")));
        assertEquals(probe.get("__CONST_RING_SIZE(netif_rx,4096)"),
            SharedRingDescriptor.ringSize(4096, (int)probe.get("sizeof(union netif_rx_sring_entry)")));
        assertEquals(probe.get("__CONST_RING_SIZE(xen_netif_ctrl,4096)"), SharedRingDescriptor.ringSize(4096, 16));
    }

    @Test
    void shouldRoundRingSizeDownToPowerOfTwo()
    {
        assertEquals(1, SharedRingDescriptor.ringSize(64 + 12, 12));
        assertEquals(0, SharedRingDescriptor.ringSize(64 + 11, 12));
        assertEquals(0, SharedRingDescriptor.ringSize(64, 1));
        assertEquals(2, SharedRingDescriptor.ringSize(64 + 3 * 12, 12));
        assertEquals(4032, 4096 - 64);
        assertEquals(4096 / 2, SharedRingDescriptor.ringSize(4096, 1));
        assertEquals(1 << 24, SharedRingDescriptor.ringSize(Integer.MAX_VALUE, 64));
    }

    @Test
    void shouldRefuseNonPositiveSlotLength()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SharedRingDescriptor.ringSize(4096, 0));
        assertTrue(ex.getMessage().contains("slotLength=0"), ex.getMessage());
    }

    @Test
    void shouldAcceptAlignedPage()
    {
        SharedRingDescriptor.checkPage(new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096)));
        SharedRingDescriptor.checkPage(new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 4096)));
    }

    @Test
    void shouldRefuseSmallPageNamingCapacity()
    {
        final UnsafeBuffer small = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 4096), 0, 4095);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SharedRingDescriptor.checkPage(small));
        assertTrue(ex.getMessage().contains("capacity=4095"), ex.getMessage());
    }

    @Test
    void shouldRefuseMisalignedPageNamingAddress()
    {
        final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8192, 4096));
        final UnsafeBuffer misaligned = new UnsafeBuffer(page, 8, 4096);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SharedRingDescriptor.checkPage(misaligned));
        assertTrue(ex.getMessage().contains("address=0x" + Long.toHexString(misaligned.addressOffset())),
            ex.getMessage());
    }

    @Test
    void shouldRefuseHeapArrayPage()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SharedRingDescriptor.checkPage(new UnsafeBuffer(new byte[8192])));
        assertTrue(ex.getMessage().contains("address="), ex.getMessage());
    }

    private static void assertField(final String struct, final String field, final int offset, final int length)
    {
        assertEquals(probe.get("offsetof(" + struct + "," + field + ")"), offset, struct + "." + field);
        assertEquals(probe.get("sizeof(" + struct + "." + field + ")"), length, struct + "." + field);
    }
}
