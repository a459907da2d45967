package org.xennet.bench.harness;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * The ring alone ({@code ring-only}): netif TX requests and responses over one shared 4 KiB page through
 * {@link FrontRing} and {@link BackRing}, the shape of the C anchor and of the JMH
 * {@code NetifTxRingRoundTripBenchmark}: the front pushes {@code batch} requests with push-and-check-notify and
 * consumes their responses (final check before idling) before it pushes the next batch; the back reads each
 * request once, answers in the same slot array, pushes with push-and-check-notify. A completed round trip
 * (request whose response came back) is one message.
 */
public final class RingRoundTrip implements Workload
{
    private static final int FRAME_SIZE = 60;
    private static final int FIRST_GREF = 8;

    private final int batch;
    private final AtomicBuffer page;
    private FrontSide frontSide;
    private BackSide backSide;

    /**
     * Allocates the ring page and runs SHARED_RING_INIT. Each end creates its ring object and flyweights on its
     * first call, on its own thread, so the two ends' private indices and flyweights never share a cache line
     * (in C they live on two thread stacks); allocated together here they would, and every slot would pay for it.
     *
     * @param batch requests per round trip, 1..256.
     */
    public RingRoundTrip(final int batch)
    {
        page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            SharedRingDescriptor.PAGE_LENGTH, SharedRingDescriptor.PAGE_ALIGNMENT));
        final FrontRing init = NetifTxRing.front(page);
        if (batch < 1 || batch > init.size())
        {
            throw new IllegalArgumentException("batch must fit the ring: batch=" + batch + ", size=" + init.size());
        }
        init.sharedRingInit();
        this.batch = batch;
    }

    @Override
    public int frontWork()
    {
        FrontSide side = frontSide;
        if (side == null)
        {
            side = new FrontSide(page, batch);
            frontSide = side;
        }
        return side.work();
    }

    @Override
    public int backWork()
    {
        BackSide side = backSide;
        if (side == null)
        {
            side = new BackSide(page);
            backSide = side;
        }
        return side.work();
    }

    @Override
    public boolean twoThreads()
    {
        return true;
    }

    @Override
    public String error()
    {
        final FrontSide side = frontSide;
        return side == null || side.errors == 0 ? null : "bad responses: errors=" + side.errors;
    }

    @Override
    public void close()
    {
    }

    /** The frontend's half: its ring object and flyweights, created and touched by the front thread only. */
    private static final class FrontSide
    {
        private final FrontRing front;
        private final AtomicBuffer buffer;
        private final int batch;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
        private int outstanding;
        private long errors;

        FrontSide(final AtomicBuffer page, final int batch)
        {
            front = NetifTxRing.front(page);
            front.init();
            buffer = front.buffer();
            this.batch = batch;
        }

        int work()
        {
            final FrontRing front = this.front;
            final AtomicBuffer buffer = this.buffer;
            if (outstanding == 0)
            {
                final NetifTxRequestFlyweight request = this.request;
                final int reqProdPvt = front.reqProdPvt();
                for (int i = 0; i < batch; i++)
                {
                    request.wrap(front, reqProdPvt + i)
                        .gref(FIRST_GREF + i).offset(0).flags(0).id(i).size(FRAME_SIZE);
                }
                front.reqProdPvt(reqProdPvt + batch);
                outstanding = batch;
                front.pushRequestsAndCheckNotify(); // a notification would be sent here; the back polls instead
            }
            final int rspProd = front.rspProdAcquire(); // once; acquire: responses below it are visible
            int rspCons = front.rspCons();
            final int received = rspProd - rspCons;
            if (received == 0)
            {
                front.finalCheckForResponses(); // re-arm rsp_event before idling, as netfront does
                return 0;
            }
            final NetifTxResponseFlyweight response = this.response;
            for (; rspCons != rspProd; rspCons++)
            {
                response.wrap(front, rspCons);
                errors += response.status() == NetifResponseStatus.OKAY && response.id() < batch ? 0 : 1;
            }
            front.rspCons(rspCons);
            outstanding -= received;
            return received;
        }
    }

    /** The backend's half: its ring object and flyweights, created and touched by the back thread only. */
    private static final class BackSide
    {
        private final BackRing back;
        private final AtomicBuffer buffer;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();

        BackSide(final AtomicBuffer page)
        {
            back = NetifTxRing.back(page);
            back.init();
            buffer = back.buffer();
        }

        int work()
        {
            final BackRing back = this.back;
            final AtomicBuffer buffer = this.buffer;
            final NetifTxRequestFlyweight request = this.request;
            final NetifTxResponseFlyweight response = this.response;
            final int size = back.size();
            final int reqProd = back.reqProdAcquire(); // once; acquire: requests below it are visible
            int reqCons = back.reqCons();
            int rspProdPvt = back.rspProdPvt();
            final int start = reqCons;
            // RING_REQUEST_CONS_OVERFLOW: never consume more requests than there is room to answer
            while (reqCons != reqProd && reqCons - rspProdPvt < size)
            {
                request.wrap(back, reqCons);
                final int id = request.id();
                final int length = request.size();
                response.wrap(back, rspProdPvt)
                    .id(id).status(length > 0 ? NetifResponseStatus.OKAY : NetifResponseStatus.ERROR);
                reqCons++;
                rspProdPvt++;
            }
            back.reqCons(reqCons);
            back.rspProdPvt(rspProdPvt);
            if (reqCons != start)
            {
                back.pushResponsesAndCheckNotify();
                return reqCons - start;
            }
            back.finalCheckForRequests(); // re-arm req_event before idling
            return 0;
        }
    }
}
