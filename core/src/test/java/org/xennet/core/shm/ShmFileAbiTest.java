package org.xennet.core.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks {@link ShmFileDescriptor} against {@code xennet_shm.h} compiled with gcc (the header shipped in the jar),
 * and that a C program reads a file written by Java field for field.
 */
final class ShmFileAbiTest
{
    private static CProgram probe;

    @BeforeAll
    static void compile()
    {
        probe = CProgram.compileResources(ShmFileAbiTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_abi_probe.c"), "-O2", "-Wall", "-Werror");
    }

    @Test
    void shouldMatchEveryHeaderOffsetOfTheCHeader()
    {
        final ProbeOutput c = ProbeOutput.parse(probe.runForOutput());
        assertEquals(ShmFileDescriptor.MAGIC_OFFSET, c.get(field("magic")));
        assertEquals(ShmFileDescriptor.VERSION_OFFSET, c.get(field("version")));
        assertEquals(ShmFileDescriptor.PAGE_SIZE_OFFSET, c.get(field("page_size")));
        assertEquals(ShmFileDescriptor.FILE_LENGTH_OFFSET, c.get(field("file_length")));
        assertEquals(ShmFileDescriptor.GRANT_VERSION_OFFSET, c.get(field("grant_version")));
        assertEquals(ShmFileDescriptor.FRONTEND_DOMID_OFFSET, c.get(field("frontend_domid")));
        assertEquals(ShmFileDescriptor.BACKEND_DOMID_OFFSET, c.get(field("backend_domid")));
        assertEquals(ShmFileDescriptor.RING_FIRST_FRAME_OFFSET, c.get(field("ring_first_frame")));
        assertEquals(ShmFileDescriptor.GUEST_FIRST_FRAME_OFFSET, c.get(field("guest_first_frame")));
        assertEquals(ShmFileDescriptor.EVENTS_OFFSET, c.get(field("events")));
        assertEquals(ShmFileDescriptor.GRANT_FRAMES_OFFSET, c.get(field("grant_frames")));
        assertEquals(ShmFileDescriptor.STATUS_FRAMES_OFFSET, c.get(field("status_frames")));
        assertEquals(ShmFileDescriptor.RINGS_OFFSET, c.get(field("rings")));
        assertEquals(ShmFileDescriptor.GUEST_OFFSET, c.get(field("guest")));
        assertEquals(ShmFileDescriptor.GENERATION_OFFSET, c.get(field("generation")));
        assertEquals(ShmFileDescriptor.FRONTEND_STATE_OFFSET, c.get(field("frontend_state")));
        assertEquals(ShmFileDescriptor.BACKEND_STATE_OFFSET, c.get(field("backend_state")));
        assertEquals(ShmFileDescriptor.TX_RING_REF_OFFSET, c.get(field("tx_ring_ref")));
        assertEquals(ShmFileDescriptor.RX_RING_REF_OFFSET, c.get(field("rx_ring_ref")));
        assertEquals(ShmFileDescriptor.FRONTEND_PID_OFFSET, c.get(field("frontend_pid")));
        assertEquals(ShmFileDescriptor.BACKEND_PID_OFFSET, c.get(field("backend_pid")));
        assertEquals(ShmFileDescriptor.XENSTORE_PATH_OFFSET, c.get(field("xenstore_path")));
        assertEquals(ShmFileDescriptor.TX_EVENT_PORT_OFFSET, c.get(field("tx_event_port")));
        assertEquals(ShmFileDescriptor.RX_EVENT_PORT_OFFSET, c.get(field("rx_event_port")));
        assertEquals(ShmFileDescriptor.HEADER_LENGTH, c.get("sizeof(struct xennet_shm_header)"));
    }

    @Test
    void shouldMatchRegionEventAndConstantsOfTheCHeader()
    {
        final ProbeOutput c = ProbeOutput.parse(probe.runForOutput());
        assertEquals(ShmFileDescriptor.REGION_OFFSET_OFFSET, c.get("offsetof(struct xennet_shm_region,offset)"));
        assertEquals(ShmFileDescriptor.REGION_PAGES_OFFSET, c.get("offsetof(struct xennet_shm_region,pages)"));
        assertEquals(ShmFileDescriptor.REGION_LENGTH, c.get("sizeof(struct xennet_shm_region)"));
        assertEquals(ShmFileDescriptor.EVENT_PENDING_OFFSET, c.get("offsetof(struct xennet_shm_event,pending)"));
        assertEquals(ShmFileDescriptor.EVENT_COUNT_OFFSET, c.get("offsetof(struct xennet_shm_event,count)"));
        assertEquals(ShmFileDescriptor.EVENT_LENGTH, c.get("sizeof(struct xennet_shm_event)"));
        assertEquals(ShmFileDescriptor.MAGIC, c.get("XENNET_SHM_MAGIC"));
        assertEquals(ShmFileDescriptor.VERSION, c.get("XENNET_SHM_VERSION"));
        assertEquals(ShmFileDescriptor.PAGE_SIZE, c.get("XENNET_SHM_PAGE_SIZE"));
        assertEquals(ShmFileDescriptor.XENSTORE_PATH_LENGTH, c.get("XENNET_SHM_XENSTORE_PATH_LENGTH"));
    }

    @Test
    void shouldMatchTheEventTableOfTheCHeader()
    {
        final ProbeOutput c = ProbeOutput.parse(probe.runForOutput());
        assertEquals(ShmFileDescriptor.EVTCHN_STATE_OFFSET, c.get("offsetof(struct xennet_shm_evtchn,state)"));
        assertEquals(ShmFileDescriptor.EVTCHN_OWNER_PID_OFFSET, c.get("offsetof(struct xennet_shm_evtchn,owner_pid)"));
        assertEquals(ShmFileDescriptor.EVTCHN_BOUND_PID_OFFSET, c.get("offsetof(struct xennet_shm_evtchn,bound_pid)"));
        assertEquals(ShmFileDescriptor.EVTCHN_TO_BACKEND_OFFSET, c.get("offsetof(struct xennet_shm_evtchn,to_backend)"));
        assertEquals(ShmFileDescriptor.EVTCHN_TO_FRONTEND_OFFSET,
            c.get("offsetof(struct xennet_shm_evtchn,to_frontend)"));
        assertEquals(ShmFileDescriptor.EVTCHN_LENGTH, c.get("sizeof(struct xennet_shm_evtchn)"));
        assertEquals(ShmFileDescriptor.EVTCHN_PORTS, c.get("XENNET_SHM_EVTCHN_PORTS"));
        assertEquals(ShmFileDescriptor.EVTCHN_PORTS * ShmFileDescriptor.EVTCHN_LENGTH, ShmFileDescriptor.PAGE_SIZE);
        assertEquals(ShmFileDescriptor.EVTCHN_STATE_FREE, c.get("XENNET_SHM_EVTCHN_FREE"));
        assertEquals(ShmFileDescriptor.EVTCHN_STATE_UNBOUND, c.get("XENNET_SHM_EVTCHN_UNBOUND"));
        assertEquals(ShmFileDescriptor.EVTCHN_STATE_INTERDOMAIN, c.get("XENNET_SHM_EVTCHN_INTERDOMAIN"));
    }

    @Test
    void shouldReadAJavaWrittenFileFieldForFieldInC(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("dev");
        final ShmFileConfig config = new ShmFileConfig(2, 100, 3, 7, 3, 0x2000, 0x5_0000_0000L, "/run/xs.sock");
        try (ShmDeviceFile file = ShmDeviceFile.create(path, config))
        {
            final ProbeOutput c = ProbeOutput.parse(probe.runForOutput(path.toString()));
            final long guestOffset = file.buffer().getLong(ShmFileDescriptor.GUEST_OFFSET);
            final long ringsOffset = file.buffer().getLong(ShmFileDescriptor.RINGS_OFFSET);
            assertEquals(ShmFileDescriptor.MAGIC, c.get("file.magic"));
            assertEquals(Files.size(path), c.get("file.file_length"));
            assertEquals(2, c.get("file.grant_version"));
            assertEquals(7, c.get("file.frontend_domid"));
            assertEquals(3, c.get("file.backend_domid"));
            assertEquals(0x2000, c.get("file.ring_first_frame"));
            assertEquals(0x5_0000_0000L, c.get("file.guest_first_frame"));
            assertEquals(3, c.get("file.grant_frames.pages"));
            assertEquals(100, c.get("file.guest.pages"));
            assertEquals(guestOffset + 3 * 4096, c.get("file.frame_offset(guest_first_frame+3)"));
            assertEquals(ringsOffset + 4096, c.get("file.frame_offset(ring_first_frame+1)"));
            assertEquals(-1, c.get("file.frame_offset(unmapped)"));
            assertEquals(file.frameOffset(0x5_0000_0000L + 3), c.get("file.frame_offset(guest_first_frame+3)"));
            assertEquals(file.frameOffset(0x2001), c.get("file.frame_offset(ring_first_frame+1)"));
            assertEquals(file.frameOffset(0x2002), c.get("file.frame_offset(unmapped)"));
            assertEquals("/run/xs.sock".length(), c.get("file.xenstore_path_length"));
            assertEquals(guestOffset, file.guestMemory().buffer().addressOffset() - file.buffer().addressOffset());
        }
    }

    private static String field(final String name)
    {
        return "offsetof(struct xennet_shm_header," + name + ")";
    }
}
