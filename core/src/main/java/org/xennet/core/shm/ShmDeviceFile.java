package org.xennet.core.shm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.grant.GrantTable;
import org.xennet.grant.GrantTableV1;
import org.xennet.grant.GrantTableV2;

import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_DOMID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_STATE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVENTS_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVENT_TO_BACKEND_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVENT_TO_FRONTEND_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.FILE_LENGTH_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.FRONTEND_DOMID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.FRONTEND_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.FRONTEND_STATE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.GENERATION_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.GRANT_FRAMES_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.GRANT_VERSION_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.GUEST_FIRST_FRAME_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.GUEST_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.MAGIC;
import static org.xennet.core.shm.ShmFileDescriptor.MAGIC_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.PAGE_SIZE;
import static org.xennet.core.shm.ShmFileDescriptor.PAGE_SIZE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.REGION_OFFSET_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.REGION_PAGES_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.RINGS_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.RING_FIRST_FRAME_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.RING_PAGES;
import static org.xennet.core.shm.ShmFileDescriptor.RX_RING_REF_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.STATUS_FRAMES_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.TX_RING_REF_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.VERSION;
import static org.xennet.core.shm.ShmFileDescriptor.VERSION_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.XENSTORE_PATH_LENGTH;
import static org.xennet.core.shm.ShmFileDescriptor.XENSTORE_PATH_OFFSET;

/**
 * A mapped shared device file ({@code xennet_shm.h}): the header, the event words, the frontend's grant table, the
 * two ring pages and the frontend's guest memory, each a page-aligned slice of one mapping.
 * <p>
 * {@link #create} lays out a new file (written under a temporary name, then renamed, so an attaching peer never
 * sees a half-written header); {@link #attach} maps an existing one and checks every header field and region
 * first, never trusting the file: a wrong magic, version or page size, a length that disagrees with the file, a
 * truncated file or a region out of bounds is an {@link ShmFormatException} naming the field.
 * <p>
 * The control-plane words (generation, states, ring refs) are read and written with acquire/release accessors:
 * each end writes only its own words.
 */
public final class ShmDeviceFile implements AutoCloseable
{
    private static final String[] REGION_NAMES = { "events", "grant_frames", "status_frames", "rings", "guest" };
    private static final int[] REGION_FIELDS =
        { EVENTS_OFFSET, GRANT_FRAMES_OFFSET, STATUS_FRAMES_OFFSET, RINGS_OFFSET, GUEST_OFFSET };

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer header;
    private final ShmEvent toBackend;
    private final ShmEvent toFrontend;
    private final int grantVersion;

    private ShmDeviceFile(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.header = new UnsafeBuffer(buffer, 0, PAGE_SIZE);
        final UnsafeBuffer events = region(EVENTS_OFFSET);
        this.toBackend = new ShmEvent(events, EVENT_TO_BACKEND_OFFSET);
        this.toFrontend = new ShmEvent(events, EVENT_TO_FRONTEND_OFFSET);
        this.grantVersion = header.getInt(GRANT_VERSION_OFFSET);
    }

    // =========================================================================================================
    // Create and attach
    // =========================================================================================================

    /**
     * Creates a new shared device file (fails if {@code path} exists).
     *
     * @param path   the file, e.g. {@code /dev/shm/xennet0}.
     * @param config the layout parameters.
     * @return the mapped file; {@link #close()} unmaps it.
     * @throws IOException when the file exists or cannot be written.
     */
    public static ShmDeviceFile create(final Path path, final ShmFileConfig config) throws IOException
    {
        if (Files.exists(path))
        {
            throw new FileAlreadyExistsException(path.toString());
        }
        final long[] offsets = new long[REGION_FIELDS.length];
        final int[] pages = { 1, config.grantFrames(), config.statusFrames(), RING_PAGES, config.guestPages() };
        long next = PAGE_SIZE;
        for (int i = 0; i < offsets.length; i++)
        {
            offsets[i] = next;
            next += (long)pages[i] * PAGE_SIZE;
        }
        final long length = next;
        final Path temporary = Files.createTempFile(path.toAbsolutePath().getParent(), ".xennet-shm-", ".tmp");
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(grow(temporary, length).toFile(), "shm");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, PAGE_SIZE);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(PAGE_SIZE_OFFSET, PAGE_SIZE);
        header.putLong(FILE_LENGTH_OFFSET, length);
        header.putInt(GRANT_VERSION_OFFSET, config.grantVersion());
        header.putShort(FRONTEND_DOMID_OFFSET, (short)config.frontendDomid());
        header.putShort(BACKEND_DOMID_OFFSET, (short)config.backendDomid());
        header.putLong(RING_FIRST_FRAME_OFFSET, config.ringFirstFrame());
        header.putLong(GUEST_FIRST_FRAME_OFFSET, config.guestFirstFrame());
        for (int i = 0; i < offsets.length; i++)
        {
            header.putLong(REGION_FIELDS[i] + REGION_OFFSET_OFFSET, offsets[i]);
            header.putInt(REGION_FIELDS[i] + REGION_PAGES_OFFSET, pages[i]);
        }
        header.putInt(FRONTEND_STATE_OFFSET, XenbusState.INITIALISING.code());
        header.putInt(BACKEND_STATE_OFFSET, XenbusState.INITIALISING.code());
        final byte[] xenstore = config.xenstorePath().getBytes(StandardCharsets.UTF_8);
        header.putBytes(XENSTORE_PATH_OFFSET, xenstore);
        header.putLongRelease(MAGIC_OFFSET, MAGIC); // magic last: a reader that sees it sees the whole header
        mapped.force();
        IoUtil.unmap(mapped);
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        return attach(path);
    }

    /**
     * Attaches to an existing file, or creates it when missing (a peer racing us to create wins and we attach).
     *
     * @param path   the file.
     * @param config layout used when creating.
     * @return the mapped file.
     * @throws IOException when the file can be neither created nor opened.
     */
    public static ShmDeviceFile openOrCreate(final Path path, final ShmFileConfig config) throws IOException
    {
        if (Files.exists(path))
        {
            return attach(path);
        }
        try
        {
            return create(path, config);
        }
        catch (final FileAlreadyExistsException ex)
        {
            return attach(path);
        }
    }

    /**
     * Maps an existing file after checking its header.
     *
     * @param path the file.
     * @return the mapped file.
     * @throws IOException when the file cannot be read.
     * @throws ShmFormatException when a header field or region is wrong (the message names it).
     */
    public static ShmDeviceFile attach(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            throw new NoSuchFileException(path.toString(), null, "no shared device file");
        }
        final long actual = Files.size(path);
        if (actual < PAGE_SIZE)
        {
            throw new ShmFormatException("file_length", "truncated shared device file: file_length=" + actual +
                ", need at least one header page of " + PAGE_SIZE + " bytes, file=" + path);
        }
        if (actual > Integer.MAX_VALUE)
        {
            throw new ShmFormatException("file_length", "shared device file too large: file_length=" + actual);
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "shm");
        try
        {
            validate(new UnsafeBuffer(mapped, 0, PAGE_SIZE), actual, path);
            return new ShmDeviceFile(path, mapped);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    private static Path grow(final Path file, final long length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length); // sparse zero pages: rings, grants and events all start zeroed
        }
        return file;
    }

    /** Checks every header field once, from a single read each. */
    static void validate(final AtomicBuffer header, final long actual, final Path path)
    {
        final long magic = header.getLongAcquire(MAGIC_OFFSET); // acquire: the creator stores magic last
        if (magic != MAGIC)
        {
            throw fail("magic", "not a xennet shared device file: magic=0x" + Long.toHexString(magic) +
                ", expected=0x" + Long.toHexString(MAGIC) + ", file=" + path);
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION)
        {
            throw fail("version", "unsupported format: version=" + version + ", supported=" + VERSION);
        }
        final int pageSize = header.getInt(PAGE_SIZE_OFFSET);
        if (pageSize != PAGE_SIZE)
        {
            throw fail("page_size", "unsupported page size: page_size=" + pageSize + ", supported=" + PAGE_SIZE);
        }
        final long declared = header.getLong(FILE_LENGTH_OFFSET);
        if (declared != actual)
        {
            throw fail("file_length", (declared > actual ? "truncated shared device file" : "file length mismatch") +
                ": file_length=" + declared + ", actual=" + actual + ", file=" + path);
        }
        final int grantVersion = header.getInt(GRANT_VERSION_OFFSET);
        if (grantVersion != 1 && grantVersion != 2)
        {
            throw fail("grant_version", "bad grant table version: grant_version=" + grantVersion);
        }
        final long[] starts = new long[REGION_FIELDS.length];
        final long[] ends = new long[REGION_FIELDS.length];
        for (int i = 0; i < REGION_FIELDS.length; i++)
        {
            checkRegion(header, i, actual, starts, ends);
        }
        checkRegionSizes(header, grantVersion);
        final long ringFirst = header.getLong(RING_FIRST_FRAME_OFFSET);
        final long guestFirst = header.getLong(GUEST_FIRST_FRAME_OFFSET);
        final long guestPages = header.getInt(GUEST_OFFSET + REGION_PAGES_OFFSET);
        if (ringFirst < 0 || guestFirst < 0 ||
            (ringFirst + RING_PAGES > guestFirst && guestFirst + guestPages > ringFirst))
        {
            throw fail("ring_first_frame", "frame ranges invalid or overlapping: ring_first_frame=" + ringFirst +
                ", guest_first_frame=" + guestFirst);
        }
        boolean terminated = false;
        for (int i = 0; i < XENSTORE_PATH_LENGTH && !terminated; i++)
        {
            terminated = header.getByte(XENSTORE_PATH_OFFSET + i) == 0;
        }
        if (!terminated)
        {
            throw fail("xenstore_path",
                "xenstore path not NUL-terminated: xenstore_path=<no NUL in " + XENSTORE_PATH_LENGTH + " bytes>");
        }
    }

    private static void checkRegion(
        final AtomicBuffer header, final int index, final long actual, final long[] starts, final long[] ends)
    {
        final String name = REGION_NAMES[index];
        final long offset = header.getLong(REGION_FIELDS[index] + REGION_OFFSET_OFFSET);
        final long pages = header.getInt(REGION_FIELDS[index] + REGION_PAGES_OFFSET) & 0xFFFF_FFFFL;
        if (offset < PAGE_SIZE || offset % PAGE_SIZE != 0 || offset > actual)
        {
            throw fail(name + ".offset", "region offset not page-aligned or outside the file: " + name + ".offset=" +
                offset + ", file_length=" + actual);
        }
        if (pages == 0 || offset + pages * PAGE_SIZE > actual)
        {
            throw fail(name + ".pages", "region empty or beyond the end of the file: " + name + ".pages=" + pages +
                ", " + name + ".offset=" + offset + ", file_length=" + actual);
        }
        starts[index] = offset;
        ends[index] = offset + pages * PAGE_SIZE;
        for (int j = 0; j < index; j++)
        {
            if (starts[index] < ends[j] && starts[j] < ends[index])
            {
                throw fail(name + ".offset", "regions overlap: " + name + ".offset=" + offset + ", " +
                    REGION_NAMES[j] + ".offset=" + starts[j]);
            }
        }
    }

    private static void checkRegionSizes(final AtomicBuffer header, final int grantVersion)
    {
        final int rings = header.getInt(RINGS_OFFSET + REGION_PAGES_OFFSET);
        if (rings != RING_PAGES)
        {
            throw fail("rings.pages", "need exactly a tx and an rx ring page: rings.pages=" + rings);
        }
        final int grantFrames = header.getInt(GRANT_FRAMES_OFFSET + REGION_PAGES_OFFSET);
        if (grantFrames > 64)
        {
            throw fail("grant_frames.pages", "too many grant frames: grant_frames.pages=" + grantFrames);
        }
        final int statusFrames = header.getInt(STATUS_FRAMES_OFFSET + REGION_PAGES_OFFSET);
        if (grantVersion == 2 && (long)statusFrames * 2048 < (long)grantFrames * 256)
        {
            throw fail("status_frames.pages", "too few v2 status frames: status_frames.pages=" + statusFrames +
                ", grant_frames.pages=" + grantFrames);
        }
    }

    private static ShmFormatException fail(final String field, final String message)
    {
        return new ShmFormatException(field, "bad shared device file header: " + message);
    }

    // =========================================================================================================
    // Regions
    // =========================================================================================================

    private UnsafeBuffer region(final int regionField)
    {
        final int offset = (int)header.getLong(regionField + REGION_OFFSET_OFFSET);
        final int pages = header.getInt(regionField + REGION_PAGES_OFFSET);
        return new UnsafeBuffer(buffer, offset, pages * PAGE_SIZE);
    }

    /**
     * A new view of the frontend's grant table in the file (v1 or v2 per the header).
     *
     * @return the grant table.
     */
    public GrantTable grantTable()
    {
        return grantVersion == 1 ?
            new GrantTableV1(region(GRANT_FRAMES_OFFSET)) :
            new GrantTableV2(region(GRANT_FRAMES_OFFSET), region(STATUS_FRAMES_OFFSET));
    }

    /**
     * The two ring pages as guest memory (tx ring page 0, rx ring page 1) with their frame numbers.
     *
     * @return the ring memory.
     */
    public GuestMemory ringMemory()
    {
        return GuestMemory.wrap(region(RINGS_OFFSET), header.getLong(RING_FIRST_FRAME_OFFSET));
    }

    /**
     * The frontend's guest memory pages with their frame numbers.
     *
     * @return the guest memory.
     */
    public GuestMemory guestMemory()
    {
        return GuestMemory.wrap(region(GUEST_OFFSET), header.getLong(GUEST_FIRST_FRAME_OFFSET));
    }

    // =========================================================================================================
    // Control plane words
    // =========================================================================================================

    /** @return the frontend-to-backend event word. */
    public ShmEvent toBackend()
    {
        return toBackend;
    }

    /** @return the backend-to-frontend event word. */
    public ShmEvent toFrontend()
    {
        return toFrontend;
    }

    /** @return the generation (acquire: the ring refs of that generation are visible). */
    public long generation()
    {
        return header.getLongAcquire(GENERATION_OFFSET);
    }

    /**
     * Bumps the generation (frontend only, after writing the ring refs).
     *
     * @return the new generation.
     */
    public long nextGeneration()
    {
        final long next = header.getLong(GENERATION_OFFSET) + 1;
        header.putLongRelease(GENERATION_OFFSET, next); // backend sees the ring refs before the new generation
        return next;
    }

    /** @return the frontend's state code (raw: the peer may write anything). */
    public int frontendState()
    {
        return header.getIntAcquire(FRONTEND_STATE_OFFSET);
    }

    /** @param state the frontend's new state (frontend only). */
    public void frontendState(final XenbusState state)
    {
        header.putIntRelease(FRONTEND_STATE_OFFSET, state.code()); // after the words the state vouches for
    }

    /** @return the backend's state code (raw). */
    public int backendState()
    {
        return header.getIntAcquire(BACKEND_STATE_OFFSET);
    }

    /** @param state the backend's new state (backend only). */
    public void backendState(final XenbusState state)
    {
        header.putIntRelease(BACKEND_STATE_OFFSET, state.code());
    }

    /** @return the tx ring ref the frontend published. */
    public int txRingRef()
    {
        return header.getInt(TX_RING_REF_OFFSET);
    }

    /** @return the rx ring ref the frontend published. */
    public int rxRingRef()
    {
        return header.getInt(RX_RING_REF_OFFSET);
    }

    /**
     * Publishes the ring refs (frontend only; followed by {@link #nextGeneration()}).
     *
     * @param txRef tx ring grant ref.
     * @param rxRef rx ring grant ref.
     */
    public void ringRefs(final int txRef, final int rxRef)
    {
        header.putInt(TX_RING_REF_OFFSET, txRef);
        header.putInt(RX_RING_REF_OFFSET, rxRef);
    }

    /** @param pid this process's id, in the frontend's slot. */
    public void frontendPid(final long pid)
    {
        header.putInt(FRONTEND_PID_OFFSET, (int)pid);
    }

    /** @param pid this process's id, in the backend's slot. */
    public void backendPid(final long pid)
    {
        header.putInt(BACKEND_PID_OFFSET, (int)pid);
    }

    // =========================================================================================================
    // Header fields
    // =========================================================================================================

    /** @return the grant table version (1 or 2). */
    public int grantVersion()
    {
        return grantVersion;
    }

    /** @return the frontend's domain id. */
    public int frontendDomid()
    {
        return header.getShort(FRONTEND_DOMID_OFFSET) & 0xFFFF;
    }

    /** @return the backend's domain id. */
    public int backendDomid()
    {
        return header.getShort(BACKEND_DOMID_OFFSET) & 0xFFFF;
    }

    /** @return the xenstore socket path recorded in the header ("" when none). */
    public String xenstorePath()
    {
        int length = 0;
        while (length < XENSTORE_PATH_LENGTH && header.getByte(XENSTORE_PATH_OFFSET + length) != 0)
        {
            length++;
        }
        final byte[] bytes = new byte[length];
        header.getBytes(XENSTORE_PATH_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** @return the whole mapping (header page at offset 0). */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** @return the file. */
    public Path path()
    {
        return path;
    }

    /**
     * Unmaps the file (the file itself stays: the peer may still use it).
     */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    @Override
    public String toString()
    {
        return "ShmDeviceFile{path=" + path + ", grantVersion=" + grantVersion + ", generation=" + generation() +
            ", frontendState=" + frontendState() + ", backendState=" + backendState() + '}';
    }
}
