package org.xennet.rings;

import java.nio.ByteOrder;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Layout of a Xen shared ring page ({@code struct *_sring} from {@code io/ring.h}, {@code DEFINE_RING_TYPES}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     req_prod (u32)          [front]           |  0
 *  +---------------------------------------------------------------+
 *  |                     req_event (u32)         [back]            |  4
 *  +---------------------------------------------------------------+
 *  |                     rsp_prod (u32)          [back]            |  8
 *  +---------------------------------------------------------------+
 *  |                     rsp_event (u32)         [front]           | 12
 *  +---------------------------------------------------------------+
 *  |                     pvt (union, 4 bytes)    [init 0]          | 16
 *  +---------------------------------------------------------------+
 *  |                     __pad (44 bytes)        [init 0]         ...| 20
 *  +---------------------------------------------------------------+
 *  |                     ring[0], ring[1], ... (slots)   [both]   ...| 64
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Indices are free-running unsigned 32-bit counters; the slot of index {@code i} is {@code i & (size - 1)}.
 * The shared page holds no consumer indices: those stay private to each end ({@link FrontRing}, {@link BackRing}).
 * Shared indices are accessed with native-order atomic accessors, so the native byte order must be little-endian
 * (the Xen ABI); this class checks that once when it is loaded.
 */
public final class SharedRingDescriptor
{
    /** Offset of {@code req_prod}: requests published by the front end. */
    public static final int REQ_PROD_OFFSET = 0;

    /** Offset of {@code req_event}: the back end asks to be notified when {@code req_prod} passes this index. */
    public static final int REQ_EVENT_OFFSET = 4;

    /** Offset of {@code rsp_prod}: responses published by the back end. */
    public static final int RSP_PROD_OFFSET = 8;

    /** Offset of {@code rsp_event}: the front end asks to be notified when {@code rsp_prod} passes this index. */
    public static final int RSP_EVENT_OFFSET = 12;

    /** Offset of the {@code pvt} union (netif's {@code smartpoll_active}, {@code pvt_pad[4]}). */
    public static final int PVT_OFFSET = 16;

    /** Length of the {@code pvt} union. */
    public static final int PVT_LENGTH = 4;

    /** Offset of {@code __pad}. */
    public static final int PAD_OFFSET = 20;

    /** Length of {@code __pad}. */
    public static final int PAD_LENGTH = 44;

    /** Length of the header before the first slot. */
    public static final int HEADER_LENGTH = 64;

    /** Offset of {@code ring[0]}, the first slot (never use the C {@code sizeof}: {@code ring[]} is declared [1]). */
    public static final int RING_OFFSET = 64;

    /** Length of the page a ring lives in ({@code PAGE_SIZE} on x86). */
    public static final int PAGE_LENGTH = 4096;

    /** Required alignment of the page's address: a ring is granted to the peer as one whole frame. */
    public static final int PAGE_ALIGNMENT = 4096;

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("Xen rings need a little-endian platform: nativeOrder=" +
                ByteOrder.nativeOrder());
        }
    }

    private SharedRingDescriptor()
    {
    }

    /**
     * Number of slots a ring has on a page ({@code __CONST_RING_SIZE}/{@code __RING_SIZE}): the largest power of
     * two that fits after the header.
     *
     * @param pageLength length of the page in bytes.
     * @param slotLength length of one slot (the request/response union) in bytes.
     * @return the slot count, 0 if not even one slot fits.
     * @throws IllegalArgumentException if {@code slotLength} is not positive.
     */
    public static int ringSize(final int pageLength, final int slotLength)
    {
        if (slotLength <= 0)
        {
            throw new IllegalArgumentException("slot length must be positive: slotLength=" + slotLength);
        }
        if (pageLength <= RING_OFFSET)
        {
            return 0;
        }
        return Integer.highestOneBit((pageLength - RING_OFFSET) / slotLength);
    }

    /**
     * Checks that a buffer can hold a shared ring: at least one page, starting at a page-aligned address.
     *
     * @param buffer the buffer to check.
     * @throws IllegalArgumentException naming the capacity or the address when the page is too small or misaligned.
     */
    public static void checkPage(final AtomicBuffer buffer)
    {
        if (buffer.capacity() < PAGE_LENGTH)
        {
            throw new IllegalArgumentException("ring page too small: capacity=" + buffer.capacity() +
                ", required=" + PAGE_LENGTH);
        }
        final long address = buffer.addressOffset();
        if (null != buffer.byteArray() || (address & (PAGE_ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("ring page not aligned to " + PAGE_ALIGNMENT + ": address=0x" +
                Long.toHexString(address) + (null != buffer.byteArray() ? " (heap array)" : ""));
        }
    }
}
