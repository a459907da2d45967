package org.xennet.core.shm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.grant.FrameMapper;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.grant.GrantTable;
import org.xennet.grant.GrantTableV1;
import org.xennet.grant.GrantTableV2;

import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_DOMID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_PID_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.BACKEND_STATE_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.EVENTS_OFFSET;
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
import static org.xennet.core.shm.ShmFileDescriptor.RX_EVENT_PORT_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.RX_RING_REF_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.STATUS_FRAMES_OFFSET;
import static org.xennet.core.shm.ShmFileDescriptor.TX_EVENT_PORT_OFFSET;
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
    private static final int EVENTS = 0;
    private static final int GRANTS = 1;
    private static final int STATUS = 2;
    private static final int RINGS = 3;
    private static final int GUEST = 4;
    private static final long MAX_FRAME = 1L << 52; // x86-64 physical address bits: beyond is no frame
    private static final int[] REGION_FIELDS =
        { EVENTS_OFFSET, GRANT_FRAMES_OFFSET, STATUS_FRAMES_OFFSET, RINGS_OFFSET, GUEST_OFFSET };

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer header;
    private final Layout layout;
    private final ShmEventTable events;
    private final FrameMapper frontendMemory;
    private FileChannel claimChannel;
    private FileLock backendClaim;
    private FileLock frontendClaim;

    /**
     * The header's [C] fields as validated once at attach: every later use reads these private copies, never the
     * shared header again (a hostile peer may rewrite it at any time).
     */
    private record Layout(
        long length, int grantVersion, int frontendDomid, int backendDomid, long ringFirstFrame,
        long guestFirstFrame, long[] offsets, int[] pages)
    {
        long offset(final int region)
        {
            return offsets[region];
        }
    }

    private ShmDeviceFile(final Path path, final MappedByteBuffer mapped, final Layout layout)
    {
        this.path = path;
        this.mapped = mapped;
        this.layout = layout;
        this.buffer = new UnsafeBuffer(mapped);
        this.header = new UnsafeBuffer(buffer, 0, PAGE_SIZE);
        this.events = new ShmEventTable(region(EVENTS), layout.frontendDomid(), layout.backendDomid());
        final UnsafeBuffer whole = buffer;
        this.frontendMemory = new FrameMapper()
        {
            @Override
            public long pageOffset(final long frame)
            {
                return frameOffset(frame);
            }

            @Override
            public AtomicBuffer buffer()
            {
                return whole;
            }
        };
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
            final Layout layout = validate(new UnsafeBuffer(mapped, 0, PAGE_SIZE), actual, path);
            return new ShmDeviceFile(path, mapped, layout);
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

    /** Checks every header field once, from a single read each, and returns those reads. */
    static Layout validate(final AtomicBuffer header, final long actual, final Path path)
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
            throw fail("version", "unsupported format: version=" + version + ", supported=" + VERSION +
                (version == 1 ? " (format 1 had two fixed event words; remove the file and let the backend create" +
                " a new one)" : "") + ", file=" + path);
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
        final int[] pages = new int[REGION_FIELDS.length];
        for (int i = 0; i < REGION_FIELDS.length; i++)
        {
            pages[i] = checkRegion(header, i, actual, starts, ends);
        }
        checkRegionSizes(pages, grantVersion);
        final long ringFirst = header.getLong(RING_FIRST_FRAME_OFFSET);
        final long guestFirst = header.getLong(GUEST_FIRST_FRAME_OFFSET);
        final long guestPages = pages[GUEST];
        if (ringFirst < 0 || guestFirst < 0 || ringFirst > MAX_FRAME || guestFirst > MAX_FRAME ||
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
        return new Layout(actual, grantVersion, header.getShort(FRONTEND_DOMID_OFFSET) & 0xFFFF,
            header.getShort(BACKEND_DOMID_OFFSET) & 0xFFFF, ringFirst, guestFirst, starts, pages);
    }

    private static int checkRegion(
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
        return (int)pages;
    }

    private static void checkRegionSizes(final int[] pages, final int grantVersion)
    {
        final int events = pages[EVENTS];
        if (events != 1)
        {
            throw fail("events.pages", "need exactly one event table page: events.pages=" + events);
        }
        final int rings = pages[RINGS];
        if (rings != RING_PAGES)
        {
            throw fail("rings.pages", "need exactly a tx and an rx ring page: rings.pages=" + rings);
        }
        final int grantFrames = pages[GRANTS];
        if (grantFrames > 64)
        {
            throw fail("grant_frames.pages", "too many grant frames: grant_frames.pages=" + grantFrames);
        }
        final int statusFrames = pages[STATUS];
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

    private UnsafeBuffer region(final int region)
    {
        return new UnsafeBuffer(buffer, (int)layout.offset(region), layout.pages()[region] * PAGE_SIZE);
    }

    /**
     * File offset of a frame's page (a ring page or a guest page), or -1 when the frame is not in the file, from
     * the validated layout ({@code xennet_shm_frame_offset}).
     *
     * @param frame a frame number (untrusted: from a grant entry).
     * @return the page's byte offset in {@link #buffer()}, or -1.
     */
    public long frameOffset(final long frame)
    {
        final long ring = frame - layout.ringFirstFrame();
        if (ring >= 0 && ring < layout.pages()[RINGS])
        {
            return layout.offset(RINGS) + ring * PAGE_SIZE;
        }
        final long guest = frame - layout.guestFirstFrame();
        if (guest >= 0 && guest < layout.pages()[GUEST])
        {
            return layout.offset(GUEST) + guest * PAGE_SIZE;
        }
        return -1;
    }

    /**
     * Every frame of the frontend in the file (ring pages and guest pages) as the hypervisor reaches them: what a
     * backend maps rings and copies packets through, so a ring granted from any frame resolves.
     *
     * @return the frame mapper over the whole mapping.
     */
    public FrameMapper frontendMemory()
    {
        return frontendMemory;
    }

    /**
     * A new view of the frontend's grant table in the file (v1 or v2 per the header).
     *
     * @return the grant table.
     */
    public GrantTable grantTable()
    {
        return layout.grantVersion() == 1 ?
            new GrantTableV1(region(GRANTS)) :
            new GrantTableV2(region(GRANTS), region(STATUS));
    }

    /**
     * The two ring pages as guest memory (tx ring page 0, rx ring page 1) with their frame numbers.
     *
     * @return the ring memory.
     */
    public GuestMemory ringMemory()
    {
        return GuestMemory.wrap(region(RINGS), layout.ringFirstFrame());
    }

    /**
     * The frontend's guest memory pages with their frame numbers.
     *
     * @return the guest memory.
     */
    public GuestMemory guestMemory()
    {
        return GuestMemory.wrap(region(GUEST), layout.guestFirstFrame());
    }

    // =========================================================================================================
    // Control plane words
    // =========================================================================================================

    /** @return the event table: ports allocated by the frontend, bound by the backend. */
    public ShmEventTable events()
    {
        return events;
    }

    /** @return the frontend's published tx event port (raw: validated by the bind). */
    public int txEventPort()
    {
        return header.getInt(TX_EVENT_PORT_OFFSET);
    }

    /** @return the frontend's published rx event port (raw). */
    public int rxEventPort()
    {
        return header.getInt(RX_EVENT_PORT_OFFSET);
    }

    /**
     * Publishes the event ports (frontend only; followed by {@link #nextGeneration()}, like the ring refs).
     *
     * @param txPort tx event port.
     * @param rxPort rx event port.
     */
    public void eventPorts(final int txPort, final int rxPort)
    {
        header.putInt(TX_EVENT_PORT_OFFSET, txPort);
        header.putInt(RX_EVENT_PORT_OFFSET, rxPort);
    }

    /**
     * Claims the file for this backend: an fcntl write lock on the {@code backend_pid} word, held until
     * {@link #close()} (the kernel drops it when the process dies), then records our pid. Idempotent on this mapping.
     *
     * @throws ShmClaimException when another backend (another process, or another mapping in this one) serves it.
     */
    public synchronized void claimBackend()
    {
        if (null == backendClaim)
        {
            backendClaim = claim(BACKEND_PID_OFFSET, "backend", header.getInt(BACKEND_PID_OFFSET));
        }
        backendPid(ProcessHandle.current().pid());
    }

    /**
     * Claims the file for this frontend (an fcntl write lock on the {@code frontend_pid} word), as
     * {@link #claimBackend()}.
     *
     * @throws ShmClaimException when another frontend holds the file.
     */
    public synchronized void claimFrontend()
    {
        if (null == frontendClaim)
        {
            frontendClaim = claim(FRONTEND_PID_OFFSET, "frontend", header.getInt(FRONTEND_PID_OFFSET));
        }
        frontendPid(ProcessHandle.current().pid());
    }

    private FileLock claim(final int offset, final String role, final int recordedPid)
    {
        FileLock lock = null;
        try
        {
            if (null == claimChannel)
            {
                claimChannel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            lock = claimChannel.tryLock(offset, 4, false);
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null; // another mapping of this process holds it
        }
        catch (final IOException ex)
        {
            throw new ShmClaimException("cannot lock the shared device file for the " + role + ": " + ex.getMessage() +
                ", file=" + path);
        }
        if (null == lock)
        {
            throw new ShmClaimException("shared device file already served by another " + role + ": " + role +
                "_pid=" + recordedPid + ", file=" + path);
        }
        return lock;
    }

    /**
     * Ends every grant in the file's grant table (and v2 status) at once: what a frontend that claimed the file
     * after a dead frontend does before its first grant, as a new domain starts with an empty grant table. Only
     * call with the frontend claim held and no backend connected.
     *
     * @return entries that were still granted.
     */
    public int reclaimGrants()
    {
        final GrantTable table = grantTable();
        int active = 0;
        for (int ref = 0; ref < table.entryCount(); ref++)
        {
            active += table.isInUse(ref) || isGranted(table, ref) ? 1 : 0;
        }
        region(GRANTS).setMemory(0, layout.pages()[GRANTS] * PAGE_SIZE, (byte)0);
        if (layout.grantVersion() == 2)
        {
            region(STATUS).setMemory(0, layout.pages()[STATUS] * PAGE_SIZE, (byte)0);
        }
        VarHandle.fullFence(); // the wipe is visible before any new grant
        return active;
    }

    private static boolean isGranted(final GrantTable table, final int ref)
    {
        final int entry =
            table.version() == 1 ? GrantEntryV1Descriptor.entryOffset(ref) : ref * GrantEntryV2Descriptor.LENGTH;
        return (table.frames().getShortVolatile(entry) & GrantFlags.TYPE_MASK) != GrantFlags.INVALID;
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

    /** @return the grant table version (1 or 2), as validated at attach. */
    public int grantVersion()
    {
        return layout.grantVersion();
    }

    /** @return the frontend's domain id, as read at attach. */
    public int frontendDomid()
    {
        return layout.frontendDomid();
    }

    /** @return the backend's domain id, as read at attach. */
    public int backendDomid()
    {
        return layout.backendDomid();
    }

    /** @return the file length validated at attach. */
    public long length()
    {
        return layout.length();
    }

    /**
     * Whether the file still has the length it had at attach: a mapped page beyond a truncated end faults on
     * access (SIGBUS), so each end checks this on every idle cycle and stops cleanly instead.
     *
     * @return true while the file is intact.
     */
    public boolean intact()
    {
        try
        {
            return Files.size(path) == layout.length();
        }
        catch (final IOException ex)
        {
            return false; // removed or unreadable: the mapping still works, but nobody can attach any more
        }
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
    public synchronized void close()
    {
        try
        {
            if (null != claimChannel)
            {
                claimChannel.close(); // releases both claims
            }
        }
        catch (final IOException ex)
        {
            // the locks die with the channel regardless
        }
        claimChannel = null;
        backendClaim = null;
        frontendClaim = null;
        IoUtil.unmap(mapped);
    }

    @Override
    public String toString()
    {
        return "ShmDeviceFile{path=" + path + ", grantVersion=" + layout.grantVersion() +
            ", generation=" + generation() +
            ", frontendState=" + frontendState() + ", backendState=" + backendState() + '}';
    }
}
