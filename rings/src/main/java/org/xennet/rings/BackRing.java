package org.xennet.rings;

import static org.xennet.rings.SharedRingDescriptor.REQ_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.REQ_PROD_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_EVENT_OFFSET;
import static org.xennet.rings.SharedRingDescriptor.RSP_PROD_OFFSET;

import java.lang.invoke.VarHandle;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The back end of a Xen shared ring ({@code struct *_back_ring} and the back-side macros of {@code io/ring.h}):
 * it consumes requests and produces responses. Twin of {@link FrontRing}.
 *
 * <p>{@code rspProdPvt} and {@code reqCons} are private plain fields, never in shared memory. All index arithmetic is
 * unsigned 32-bit on {@code int}s, so indices may wrap past 2^32. Single-threaded; methods do not allocate.
 */
public final class BackRing extends SharedRing
{
    private int rspProdPvt;
    private int reqCons;

    /**
     * Creates the back end over one shared page ({@code BACK_RING_INIT} still has to be called, or attach).
     *
     * @param page       the shared page: at least {@link SharedRingDescriptor#PAGE_LENGTH} bytes, page-aligned.
     * @param slotLength length of one slot (the request/response union) in bytes.
     * @throws IllegalArgumentException if the page is too small or misaligned, or no slot fits.
     */
    public BackRing(final AtomicBuffer page, final int slotLength)
    {
        super(page, slotLength);
    }

    /** {@code BACK_RING_INIT}: {@code rspProdPvt = reqCons = 0}. */
    public void init()
    {
        attach(0);
    }

    /**
     * {@code BACK_RING_ATTACH}: resume a ring whose indices already stand at {@code index}.
     *
     * @param index the unsigned 32-bit index both private indices start at.
     */
    public void attach(final int index)
    {
        rspProdPvt = index;
        reqCons = index;
    }



    /** @return {@code rsp_prod_pvt}: the index the next response will be written at (u32). */
    public int rspProdPvt()
    {
        return rspProdPvt;
    }

    /** @param rspProdPvt new {@code rsp_prod_pvt} (u32), advanced after a response slot is fully written. */
    public void rspProdPvt(final int rspProdPvt)
    {
        this.rspProdPvt = rspProdPvt;
    }

    /** @return {@code req_cons}: the index of the next request to consume (u32). */
    public int reqCons()
    {
        return reqCons;
    }

    /** @param reqCons new {@code req_cons} (u32), advanced after a request has been copied out. */
    public void reqCons(final int reqCons)
    {
        this.reqCons = reqCons;
    }


    /**
     * Loads the shared {@code req_prod} once; the caller keeps the value and validates it
     * ({@link #requestProdOverflow(int)}) before reading slots up to it.
     *
     * @return {@code req_prod} (u32).
     */
    public int reqProdAcquire()
    {
        return buffer.getIntAcquire(REQ_PROD_OFFSET); // acquire: request slots are read only after the index
    }

    /**
     * {@code RING_HAS_UNCONSUMED_REQUESTS}: the smaller (unsigned) of {@code req_prod - reqCons} and
     * {@code size - (reqCons - rspProdPvt)}; the second term keeps the back end from taking more requests than it
     * has response slots for.
     *
     * @return the count of requests that may be consumed now.
     */
    public int unconsumedRequests()
    {
        final int req = reqProdAcquire() - reqCons;
        final int rsp = size - (reqCons - rspProdPvt);
        return Integer.compareUnsigned(req, rsp) < 0 ? req : rsp;
    }

    /**
     * {@code RING_REQUEST_CONS_OVERFLOW}: would consuming the request at {@code cons} overrun the response slots?
     *
     * @param cons a request index.
     * @return true if {@code cons - rspProdPvt >= size} (unsigned).
     */
    public boolean requestConsOverflow(final int cons)
    {
        return Integer.compareUnsigned(cons - rspProdPvt, size) >= 0;
    }

    /**
     * {@code RING_REQUEST_PROD_OVERFLOW}: an ill-behaved front end published more requests than fit.
     *
     * @param prod a loaded {@code req_prod}.
     * @return true if {@code prod - rspProdPvt > size} (unsigned).
     */
    public boolean requestProdOverflow(final int prod)
    {
        return Integer.compareUnsigned(prod - rspProdPvt, size) > 0;
    }

    /** {@code RING_PUSH_RESPONSES}: publish {@code rspProdPvt} as {@code rsp_prod}. */
    public void pushResponses()
    {
        buffer.putIntRelease(RSP_PROD_OFFSET, rspProdPvt); // release: front sees responses before the index
    }

    /**
     * {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}: publish {@code rspProdPvt}, then decide whether the front end
     * asked to be woken for one of the responses just published ({@code rsp_event} in (old, new]).
     *
     * @return true if the front end must be notified.
     */
    public boolean pushResponsesAndCheckNotify()
    {
        final AtomicBuffer buffer = this.buffer;
        final int oldProd = buffer.getInt(RSP_PROD_OFFSET); // only this end writes rsp_prod: a plain load is exact
        final int newProd = rspProdPvt;
        buffer.putIntRelease(RSP_PROD_OFFSET, newProd); // release: front sees responses before the index
        VarHandle.fullFence(); // xen_mb: front sees new rsp_prod before we read rsp_event (else a lost wakeup)
        final int rspEvent = buffer.getIntVolatile(RSP_EVENT_OFFSET);
        return Integer.compareUnsigned(newProd - rspEvent, newProd - oldProd) < 0;
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_REQUESTS}: if no request is pending, ask to be notified of the next one
     * ({@code req_event = reqCons + 1}) and check again, closing the race with a front end that pushed before it saw
     * the new event index.
     *
     * @return the unconsumed request count (0: none, safe to sleep until notified).
     */
    public int finalCheckForRequests()
    {
        final int work = unconsumedRequests();
        if (work != 0)
        {
            return work;
        }
        buffer.putIntRelease(REQ_EVENT_OFFSET, reqCons + 1); // release: consumed slots are done before re-arming
        VarHandle.fullFence(); // xen_mb: front sees req_event before we re-read req_prod (else a lost wakeup)
        return unconsumedRequests();
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "BackRing{size=" + size + ", slotLength=" + slotLength + ", rspProdPvt=" +
            Integer.toUnsignedString(rspProdPvt) + ", reqCons=" + Integer.toUnsignedString(reqCons) + "}";
    }
}
