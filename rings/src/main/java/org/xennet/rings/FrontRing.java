package org.xennet.rings;

import static org.xennet.rings.SharedRingDescriptor.PAD_LENGTH;
import static org.xennet.rings.SharedRingDescriptor.PAD_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.PVT_LENGTH;
import static org.xennet.rings.SharedRingDescriptor.PVT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.REQ_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.REQ_PROD_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_PROD_OFFSET;

import java.lang.invoke.VarHandle;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The front end of a Xen shared ring ({@code struct *_front_ring} and the front-side macros of {@code io/ring.h}):
 * it produces requests and consumes responses.
 *
 * <p>{@code reqProdPvt} and {@code rspCons} are private plain fields, never in shared memory. All index arithmetic is
 * unsigned 32-bit on {@code int}s (subtraction, {@link Integer#compareUnsigned}), so indices may wrap past 2^32.
 * Methods do not allocate. Threading: the request half ({@code reqProdPvt}, the push methods) and the response
 * half ({@code rspCons}, {@link #rspProdAcquire()}, the final check) touch disjoint private fields, so each half may
 * be driven by its own single thread (netfront's transmit and pollTx do this). {@link #freeRequests()} and
 * {@link #isFull()} read both indices: from the request thread they may see an older {@code rspCons}, which only
 * under-reports free space.
 */
public final class FrontRing extends SharedRing
{
    private int reqProdPvt;
    private int rspCons;

    /**
     * Creates the front end over one shared page ({@code FRONT_RING_INIT} still has to be called, or attach).
     *
     * @param page       the shared page: at least {@link SharedRingDescriptor#PAGE_LENGTH} bytes, page-aligned.
     * @param slotLength length of one slot (the request/response union) in bytes.
     * @throws IllegalArgumentException if the page is too small or misaligned, or no slot fits.
     */
    public FrontRing(final AtomicBuffer page, final int slotLength)
    {
        super(page, slotLength);
    }

    /**
     * {@code SHARED_RING_INIT}: zero both producer indices, set both event indices to 1 and clear {@code pvt} and
     * {@code __pad}. Slots are left untouched. Done by the front end only, before the page is granted to the peer.
     */
    public void sharedRingInit()
    {
        final AtomicBuffer buffer = this.buffer;
        buffer.putInt(RSP_PROD_OFFSET, 0);
        buffer.putInt(REQ_PROD_OFFSET, 0);
        buffer.putInt(RSP_EVENT_OFFSET, 1);
        buffer.putInt(REQ_EVENT_OFFSET, 1);
        buffer.setMemory(PVT_OFFSET, PVT_LENGTH, (byte)0);
        buffer.setMemory(PAD_OFFSET, PAD_LENGTH, (byte)0);
    }

    /** {@code FRONT_RING_INIT}: {@code reqProdPvt = rspCons = 0}. */
    public void init()
    {
        attach(0);
    }

    /**
     * {@code FRONT_RING_ATTACH}: resume a ring whose indices already stand at {@code index}.
     *
     * @param index the unsigned 32-bit index both private indices start at.
     */
    public void attach(final int index)
    {
        reqProdPvt = index;
        rspCons = index;
    }



    /** @return {@code req_prod_pvt}: the index the next request will be written at (u32). */
    public int reqProdPvt()
    {
        return reqProdPvt;
    }

    /** @param reqProdPvt new {@code req_prod_pvt} (u32), advanced after a request slot is fully written. */
    public void reqProdPvt(final int reqProdPvt)
    {
        this.reqProdPvt = reqProdPvt;
    }

    /** @return {@code rsp_cons}: the index of the next response to consume (u32). */
    public int rspCons()
    {
        return rspCons;
    }

    /** @param rspCons new {@code rsp_cons} (u32), advanced after a response has been copied out. */
    public void rspCons(final int rspCons)
    {
        this.rspCons = rspCons;
    }


    /** @return {@code RING_FREE_REQUESTS}: {@code size - (reqProdPvt - rspCons)}, u32 arithmetic. */
    public int freeRequests()
    {
        return size - (reqProdPvt - rspCons);
    }

    /** @return {@code RING_FULL}: no free request slot. */
    public boolean isFull()
    {
        return freeRequests() == 0;
    }

    /**
     * Loads the shared {@code rsp_prod} once; the caller keeps the value and validates it
     * ({@link #responseProdOverflow(int)}) before reading slots up to it.
     *
     * @return {@code rsp_prod} (u32).
     */
    public int rspProdAcquire()
    {
        return buffer.getIntAcquire(RSP_PROD_OFFSET); // acquire: response slots are read only after the index
    }

    /** @return {@code RING_HAS_UNCONSUMED_RESPONSES}: {@code rsp_prod - rspCons} as a count (u32). */
    public int unconsumedResponses()
    {
        return rspProdAcquire() - rspCons;
    }

    /**
     * {@code RING_RESPONSE_PROD_OVERFLOW}: an ill-behaved back end published more responses than requests exist.
     *
     * @param rspProd a loaded {@code rsp_prod}.
     * @return true if {@code rspProd - rspCons > size} (unsigned).
     */
    public boolean responseProdOverflow(final int rspProd)
    {
        return Integer.compareUnsigned(rspProd - rspCons, size) > 0;
    }

    /** {@code RING_PUSH_REQUESTS}: publish {@code reqProdPvt} as {@code req_prod}. */
    public void pushRequests()
    {
        buffer.putIntRelease(REQ_PROD_OFFSET, reqProdPvt); // release: back sees requests before the index
    }

    /**
     * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}: publish {@code reqProdPvt}, then decide whether the back end asked
     * to be woken for one of the requests just published ({@code req_event} in (old, new]).
     *
     * @return true if the back end must be notified.
     */
    public boolean pushRequestsAndCheckNotify()
    {
        final AtomicBuffer buffer = this.buffer;
        final int oldProd = buffer.getInt(REQ_PROD_OFFSET); // only this end writes req_prod: a plain load is exact
        final int newProd = reqProdPvt;
        buffer.putIntRelease(REQ_PROD_OFFSET, newProd); // release: back sees requests before the index
        VarHandle.fullFence(); // xen_mb: back sees new req_prod before we read req_event (else a lost wakeup)
        final int reqEvent = buffer.getIntVolatile(REQ_EVENT_OFFSET);
        return Integer.compareUnsigned(newProd - reqEvent, newProd - oldProd) < 0;
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_RESPONSES}: if no response is pending, ask to be notified of the next one
     * ({@code rsp_event = rspCons + 1}) and check again, closing the race with a back end that pushed before it saw
     * the new event index.
     *
     * @return the unconsumed response count (0: none, safe to sleep until notified).
     */
    public int finalCheckForResponses()
    {
        final int work = unconsumedResponses();
        if (work != 0)
        {
            return work;
        }
        buffer.putIntRelease(RSP_EVENT_OFFSET, rspCons + 1); // release: consumed slots are done before re-arming
        VarHandle.fullFence(); // xen_mb: back sees rsp_event before we re-read rsp_prod (else a lost wakeup)
        return unconsumedResponses();
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "FrontRing{size=" + size + ", slotLength=" + slotLength + ", reqProdPvt=" +
            Integer.toUnsignedString(reqProdPvt) + ", rspCons=" + Integer.toUnsignedString(rspCons) + "}";
    }
}
