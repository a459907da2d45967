package org.xennet.core.shm;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.core.event.EventChannel;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.grant.GrantTableV1;
import org.xennet.grant.GrantTableV2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class ShmDeviceFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCreateAndAttachWithPageAlignedRegions() throws Exception
    {
        final Path path = dir.resolve("dev");
        try (ShmDeviceFile created = ShmDeviceFile.create(path, ShmFileConfig.defaults(2));
            ShmDeviceFile attached = ShmDeviceFile.attach(path))
        {
            assertEquals(2, attached.grantVersion());
            assertInstanceOf(GrantTableV2.class, attached.grantTable());
            assertEquals(1, attached.frontendDomid());
            assertEquals(0, attached.backendDomid());
            assertEquals(ShmFileConfig.DEFAULT_GUEST_PAGES, attached.guestMemory().pageCount());
            assertEquals(0x10000, attached.guestMemory().firstFrame());
            assertEquals(2, attached.ringMemory().pageCount());
            assertEquals(0, attached.guestMemory().buffer().addressOffset() % 4096);
            assertEquals(0, attached.ringMemory().buffer().addressOffset() % 4096);
            assertEquals(XenbusState.INITIALISING.code(), attached.backendState());
            assertEquals("", attached.xenstorePath());

            created.ringRefs(12, 13);
            assertEquals(1, created.nextGeneration());
            created.frontendState(XenbusState.CONNECTED);
            assertEquals(1, attached.generation()); // one file, two mappings: the other end sees the words
            assertEquals(12, attached.txRingRef());
            assertEquals(13, attached.rxRingRef());
            assertEquals(XenbusState.CONNECTED.code(), attached.frontendState());
        }
    }

    @Test
    void shouldShareGuestPagesAndEventsBetweenMappings() throws Exception
    {
        final Path path = dir.resolve("dev");
        try (ShmDeviceFile a = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile b = ShmDeviceFile.attach(path))
        {
            assertInstanceOf(GrantTableV1.class, b.grantTable());
            a.guestMemory().buffer().putLong(4096 * 7 + 8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, b.guestMemory().buffer().getLong(4096 * 7 + 8));
            final ShmEventChannel front = (ShmEventChannel)a.events().allocUnbound(a.frontendDomid(), a.backendDomid());
            assertEquals(false, front.notifyPeer()); // unbound: dropped, as Xen drops it
            final EventChannel back = b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), front.port());
            assertEquals(false, back.consume());
            front.notifyPeer();
            front.notifyPeer();
            assertEquals(2, front.notificationsSent());
            assertTrue(back.consume());
            assertEquals(false, back.consume()); // notifications collapse into one pending bit
            assertEquals(false, front.pending());
            assertTrue(back.notifyPeer());
            assertTrue(front.consume());
        }
    }

    @Test
    void shouldAllocatePortsPerConnectionAndFreeThemOnClose() throws Exception
    {
        final Path path = dir.resolve("dev");
        try (ShmDeviceFile a = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile b = ShmDeviceFile.attach(path))
        {
            final EventChannel tx = a.events().allocUnbound(a.frontendDomid(), a.backendDomid());
            final EventChannel rx = a.events().allocUnbound(a.frontendDomid(), a.backendDomid());
            assertEquals(1, tx.port());
            assertEquals(2, rx.port());
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_UNBOUND, b.events().state(1));
            assertNull(b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), 3)); // free: nobody holds it
            assertNull(b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), 0)); // port 0 never binds
            assertNull(b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), -1L));
            assertNull(b.events().bindInterdomain(b.backendDomid() + 1, b.frontendDomid(), 1)); // not granted to us
            final EventChannel back = b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), 1);
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_INTERDOMAIN, b.events().state(1));
            assertNull(b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), 1)); // bound once only
            back.close();
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_UNBOUND, b.events().state(1));
            tx.close();
            rx.close();
            assertEquals(0, a.events().inUse());
            assertNull(b.events().bindInterdomain(b.backendDomid(), b.frontendDomid(), 1)); // closed: never binds
        }
    }

    @Test
    void shouldNeverBindAPortWhoseOwnerIsDeadAndReclaimIt() throws Exception
    {
        final Path path = dir.resolve("dev");
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (ShmDeviceFile a = ShmDeviceFile.create(path, ShmFileConfig.defaults(1)))
        {
            // What a killed frontend leaves: its port unbound, published, owned by a process that no longer lives.
            final int entry = 5 * ShmFileDescriptor.EVTCHN_LENGTH;
            final org.agrona.concurrent.UnsafeBuffer table = new org.agrona.concurrent.UnsafeBuffer(
                a.buffer(), (int)a.buffer().getLong(ShmFileDescriptor.EVENTS_OFFSET), ShmFileDescriptor.PAGE_SIZE);
            table.putInt(entry + ShmFileDescriptor.EVTCHN_OWNER_PID_OFFSET, (int)gone.pid());
            table.putInt(entry + ShmFileDescriptor.EVTCHN_STATE_OFFSET, ShmFileDescriptor.EVTCHN_STATE_UNBOUND);
            assertNull(a.events().bindInterdomain(a.backendDomid(), a.frontendDomid(), 5));
            assertEquals(1, a.events().reclaimDead());
            assertEquals(ShmFileDescriptor.EVTCHN_STATE_FREE, a.events().state(5));
        }
    }

    @Test
    void shouldRefuseASecondBackendAndASecondFrontendWithAClearMessage() throws Exception
    {
        final Path path = dir.resolve("dev");
        try (ShmDeviceFile a = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile b = ShmDeviceFile.attach(path))
        {
            a.claimBackend();
            final ShmClaimException ex = assertThrows(ShmClaimException.class, b::claimBackend);
            assertTrue(ex.getMessage().contains("already served by another backend: backend_pid=" +
                ProcessHandle.current().pid()), ex.getMessage());
            b.claimFrontend();
            assertThrows(ShmClaimException.class, a::claimFrontend);
            a.close(); // releases its backend claim
            b.claimBackend();
        }
    }

    @Test
    void shouldNameVersion1AsTheOldFormat() throws Exception
    {
        final ShmFormatException ex = assertField("version", createAndPatch(ShmFileDescriptor.VERSION_OFFSET, 4, 1));
        assertTrue(ex.getMessage().contains("version=1, supported=2"), ex.getMessage());
    }

    @Test
    void shouldUseTheLayoutValidatedAtAttachWhenTheHeaderIsRewrittenLater() throws Exception
    {
        final Path path = dir.resolve("dev");
        try (ShmDeviceFile a = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
            ShmDeviceFile b = ShmDeviceFile.attach(path))
        {
            final long rings = a.buffer().getLong(ShmFileDescriptor.RINGS_OFFSET);
            // A hostile peer rewrites the layout after attach: nothing of b may follow it out of the file.
            a.buffer().putLong(ShmFileDescriptor.RINGS_OFFSET, 1L << 40);
            a.buffer().putInt(ShmFileDescriptor.RINGS_OFFSET + ShmFileDescriptor.REGION_PAGES_OFFSET, 1 << 20);
            a.buffer().putLong(ShmFileDescriptor.RING_FIRST_FRAME_OFFSET, -5);
            a.buffer().putLong(ShmFileDescriptor.GUEST_OFFSET, 1L << 40);
            a.buffer().putInt(ShmFileDescriptor.GRANT_VERSION_OFFSET, 7);
            assertEquals(2, b.ringMemory().pageCount());
            assertEquals(rings + 4096, b.frameOffset(0x1001));
            assertEquals(-1, b.frameOffset(-5));
            assertEquals(1, b.grantVersion());
            assertInstanceOf(GrantTableV1.class, b.grantTable());
            assertTrue(b.guestMemory().buffer().capacity() <= b.buffer().capacity());
        }
    }

    @Test
    void shouldRefuseAWrongMagicNamingTheField() throws Exception
    {
        final Path path = createAndPatch(ShmFileDescriptor.MAGIC_OFFSET, 8, 0x0123456789L);
        assertField("magic", path);
    }

    @Test
    void shouldRefuseAWrongVersionNamingTheField() throws Exception
    {
        assertField("version", createAndPatch(ShmFileDescriptor.VERSION_OFFSET, 4, 3));
    }

    @Test
    void shouldRefuseAWrongPageSizeNamingTheField() throws Exception
    {
        assertField("page_size", createAndPatch(ShmFileDescriptor.PAGE_SIZE_OFFSET, 4, 65536));
    }

    @Test
    void shouldRefuseAWrongGrantVersionNamingTheField() throws Exception
    {
        assertField("grant_version", createAndPatch(ShmFileDescriptor.GRANT_VERSION_OFFSET, 4, 3));
    }

    @Test
    void shouldRefuseATruncatedFileNamingTheLength() throws Exception
    {
        final Path path = dir.resolve("dev");
        ShmDeviceFile.create(path, ShmFileConfig.defaults(1)).close();
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw"))
        {
            raf.setLength(raf.length() - 4096);
        }
        final ShmFormatException ex = assertField("file_length", path);
        assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
    }

    @Test
    void shouldRefuseAFileShorterThanTheHeaderPage() throws Exception
    {
        final Path path = dir.resolve("short");
        Files.write(path, new byte[100]);
        assertField("file_length", path);
        Files.write(path, new byte[0]);
        assertField("file_length", path);
    }

    @Test
    void shouldRefuseAnEmptyHeaderAsNotAShmFile() throws Exception
    {
        final Path path = dir.resolve("zeros");
        Files.write(path, new byte[8192]);
        assertField("magic", path);
    }

    @Test
    void shouldRefuseRegionsOutOfBoundsMisalignedOrOverlapping() throws Exception
    {
        assertField("guest.pages",
            createAndPatch(ShmFileDescriptor.GUEST_OFFSET + ShmFileDescriptor.REGION_PAGES_OFFSET, 4, 100_000));
        assertField("rings.offset",
            createAndPatch(ShmFileDescriptor.RINGS_OFFSET + ShmFileDescriptor.REGION_OFFSET_OFFSET, 8, 4096 * 3 + 12));
        assertField("events.offset",
            createAndPatch(ShmFileDescriptor.EVENTS_OFFSET + ShmFileDescriptor.REGION_OFFSET_OFFSET, 8, 0));
        assertField("guest.offset",
            createAndPatch(ShmFileDescriptor.GUEST_OFFSET + ShmFileDescriptor.REGION_OFFSET_OFFSET, 8, 4096 * 2));
        assertField("rings.pages",
            createAndPatch(ShmFileDescriptor.RINGS_OFFSET + ShmFileDescriptor.REGION_PAGES_OFFSET, 4, 1));
        assertField("grant_frames.pages",
            createAndPatch(ShmFileDescriptor.GRANT_FRAMES_OFFSET + ShmFileDescriptor.REGION_PAGES_OFFSET, 4, 0));
    }

    @Test
    void shouldRefuseAnUnterminatedXenstorePath() throws Exception
    {
        final Path path = dir.resolve("dev");
        ShmDeviceFile.create(path, ShmFileConfig.defaults(1)).close();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            final byte[] filler = new byte[ShmFileDescriptor.XENSTORE_PATH_LENGTH];
            java.util.Arrays.fill(filler, (byte)'x');
            channel.write(ByteBuffer.wrap(filler), ShmFileDescriptor.XENSTORE_PATH_OFFSET);
        }
        assertField("xenstore_path", path);
    }

    @Test
    void shouldRefuseAMissingFileAndAnExistingOneOnCreate() throws Exception
    {
        final Path path = dir.resolve("dev");
        assertThrows(NoSuchFileException.class, () -> ShmDeviceFile.attach(path));
        ShmDeviceFile.create(path, ShmFileConfig.defaults(1)).close();
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
            () -> ShmDeviceFile.create(path, ShmFileConfig.defaults(1)));
        ShmDeviceFile.openOrCreate(path, ShmFileConfig.defaults(2)).close(); // attaches: the file decides
    }

    private Path createAndPatch(final int offset, final int width, final long value) throws Exception
    {
        final Path path = Files.createTempFile(dir, "dev-", ".shm");
        Files.delete(path);
        ShmDeviceFile.create(path, ShmFileConfig.defaults(1)).close();
        final ByteBuffer bytes = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 8)
        {
            bytes.putLong(value);
        }
        else
        {
            bytes.putInt((int)value);
        }
        bytes.flip();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            channel.write(bytes, offset);
        }
        return path;
    }

    private static ShmFormatException assertField(final String field, final Path path)
    {
        final ShmFormatException ex = assertThrows(ShmFormatException.class, () -> ShmDeviceFile.attach(path));
        assertEquals(field, ex.field(), ex.getMessage());
        assertTrue(ex.getMessage().contains(field + "="), ex.getMessage());
        return ex;
    }
}
