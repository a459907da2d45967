package org.xennet.core.memory;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.grant.FrameMapper;

/**
 * An off-heap arena of 4 KiB guest pages, each with a frame number.
 * <p>
 * Page {@code p} lives at byte offset {@code p * 4096} of {@link #buffer()} and has frame number
 * {@code firstFrame + p}. The first frame is configurable so that pages can be placed beyond the reach of a
 * v1 grant table (a first frame of {@code 0x1_0000_0000} puts every page above 2^32 frames), or straddling it.
 * <pre>
 *   buffer offset:  0          4096       8192            (pageCount-1)*4096
 *                   +----------+----------+---- ... ----+----------+
 *                   | page 0   | page 1   |             | page n-1 |
 *                   +----------+----------+---- ... ----+----------+
 *   frame:          firstFrame firstFrame+1              firstFrame+n-1
 * </pre>
 * The arena also acts as the hypervisor's {@link FrameMapper} for the guest: a backend reaches a granted frame
 * through {@link #pageOffset(long)}. Instances are immutable after construction and safe to share between threads
 * (the page contents are synchronised by the ring protocol, not by this class).
 */
public final class GuestMemory implements FrameMapper, AutoCloseable
{
    /** Length of one guest page in bytes. */
    public static final int PAGE_LENGTH = 4096;

    /** log2 of {@link #PAGE_LENGTH}. */
    public static final int PAGE_SHIFT = 12;

    /** Largest page count: the arena must be addressable with an {@code int} offset. */
    public static final int MAX_PAGE_COUNT = Integer.MAX_VALUE / PAGE_LENGTH;

    private final AtomicBuffer buffer;
    private final int pageCount;
    private final long firstFrame;
    private final MappedByteBuffer mapped;

    /**
     * Creates an arena in a page-aligned direct buffer.
     *
     * @param pageCount  number of 4 KiB pages (1 .. {@link #MAX_PAGE_COUNT}).
     * @param firstFrame frame number of page 0 (0 or more).
     */
    public GuestMemory(final int pageCount, final long firstFrame)
    {
        checkArguments(pageCount, firstFrame);
        final ByteBuffer direct = BufferUtil.allocateDirectAligned(pageCount * PAGE_LENGTH, PAGE_LENGTH);
        this.buffer = new UnsafeBuffer(direct);
        this.pageCount = pageCount;
        this.firstFrame = firstFrame;
        this.mapped = null;
    }

    private GuestMemory(final MappedByteBuffer mapped, final int pageCount, final long firstFrame)
    {
        this.buffer = new UnsafeBuffer(mapped);
        this.pageCount = pageCount;
        this.firstFrame = firstFrame;
        this.mapped = mapped;
    }

    /**
     * Creates an arena in a new memory-mapped file (e.g. under {@code /dev/shm}), so another process can share it.
     *
     * @param file       file to create (must not exist).
     * @param pageCount  number of 4 KiB pages.
     * @param firstFrame frame number of page 0.
     * @return the arena; {@link #close()} unmaps it.
     */
    public static GuestMemory mapped(final Path file, final int pageCount, final long firstFrame)
    {
        checkArguments(pageCount, firstFrame);
        final File target = file.toFile();
        final MappedByteBuffer mapped = IoUtil.mapNewFile(target, (long)pageCount * PAGE_LENGTH);
        return new GuestMemory(mapped, pageCount, firstFrame);
    }

    /**
     * Wraps pages that already exist (e.g. a page-aligned region of a shared device file); not owned: {@link #close()}
     * leaves them mapped.
     *
     * @param pages      a page-aligned buffer whose capacity is a whole number of pages.
     * @param firstFrame frame number of page 0.
     * @return the arena over {@code pages}.
     */
    public static GuestMemory wrap(final AtomicBuffer pages, final long firstFrame)
    {
        final int pageCount = pages.capacity() / PAGE_LENGTH;
        checkArguments(pageCount, firstFrame);
        if (pages.capacity() % PAGE_LENGTH != 0 || (pages.addressOffset() & (PAGE_LENGTH - 1)) != 0)
        {
            throw new IllegalArgumentException("pages must be whole and page-aligned: capacity=" + pages.capacity() +
                ", address=0x" + Long.toHexString(pages.addressOffset()));
        }
        return new GuestMemory(pages, pageCount, firstFrame);
    }

    private GuestMemory(final AtomicBuffer pages, final int pageCount, final long firstFrame)
    {
        this.buffer = pages;
        this.pageCount = pageCount;
        this.firstFrame = firstFrame;
        this.mapped = null;
    }

    private static void checkArguments(final int pageCount, final long firstFrame)
    {
        if (pageCount < 1 || pageCount > MAX_PAGE_COUNT)
        {
            throw new IllegalArgumentException("page count out of range: pageCount=" + pageCount);
        }
        if (firstFrame < 0 || firstFrame > Long.MAX_VALUE - pageCount)
        {
            throw new IllegalArgumentException("first frame out of range: firstFrame=" + firstFrame);
        }
    }

    /**
     * The whole arena; page {@code p} starts at {@link #pageOffset(int)}.
     *
     * @return the buffer over all pages.
     */
    @Override
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Number of pages in the arena.
     *
     * @return the page count.
     */
    public int pageCount()
    {
        return pageCount;
    }

    /**
     * Frame number of page 0.
     *
     * @return the first frame.
     */
    public long firstFrame()
    {
        return firstFrame;
    }

    /**
     * Frame number of a page.
     *
     * @param page page index (0 .. pageCount-1).
     * @return {@code firstFrame + page}.
     */
    public long frame(final int page)
    {
        checkPage(page);
        return firstFrame + page;
    }

    /**
     * Frame number of the page holding a byte of the arena.
     *
     * @param offset byte offset in {@link #buffer()}.
     * @return the frame of the page containing {@code offset}.
     */
    public long frameOfOffset(final int offset)
    {
        return frame(offset >>> PAGE_SHIFT);
    }

    /**
     * Byte offset of a page in {@link #buffer()}.
     *
     * @param page page index (0 .. pageCount-1).
     * @return {@code page * 4096}.
     */
    public int pageOffset(final int page)
    {
        checkPage(page);
        return page << PAGE_SHIFT;
    }

    /**
     * A 4 KiB page-aligned view of one page (allocates: for setup, not for the data path).
     *
     * @param page page index.
     * @return a new buffer wrapping exactly that page.
     */
    public AtomicBuffer page(final int page)
    {
        return new UnsafeBuffer(buffer, pageOffset(page), PAGE_LENGTH);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long pageOffset(final long frame)
    {
        final long page = frame - firstFrame;
        return frame >= firstFrame && page < pageCount ? page << PAGE_SHIFT : -1;
    }

    /**
     * Unmaps a memory-mapped arena (a direct arena is left to the garbage collector).
     */
    @Override
    public void close()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }

    private void checkPage(final int page)
    {
        if (page < 0 || page >= pageCount)
        {
            throw new IndexOutOfBoundsException("page out of range: page=" + page + ", pageCount=" + pageCount);
        }
    }

    @Override
    public String toString()
    {
        return "GuestMemory{pageCount=" + pageCount + ", firstFrame=0x" + Long.toHexString(firstFrame) + '}';
    }
}
