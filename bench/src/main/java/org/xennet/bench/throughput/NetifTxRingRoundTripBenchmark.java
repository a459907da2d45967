package org.xennet.bench.throughput;

import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.bench.IdleStrategies;
import org.xennet.bench.MessageCounters;
import org.xennet.bench.NotifyCounters;
import org.xennet.bench.SpinCounters;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * The ring alone: the netif TX request → response round trip over one shared 4 KiB page through xennet's
 * {@link FrontRing} and {@link BackRing}, step for step the C anchor ({@code CRingAnchor}, Xen's ring.h macros).
 *
 * <p>The front writes {@code batch} requests into its slots, {@link FrontRing#pushRequestsAndCheckNotify()},
 * then consumes {@code batch} responses, calling {@link FrontRing#finalCheckForResponses()} before it waits.
 * The back reads each request once into locals, writes the response into the slot,
 * {@link BackRing#pushResponsesAndCheckNotify()}, and {@link BackRing#finalCheckForRequests()} before it
 * waits. Event channels are not simulated: a notification is only counted. Score: the {@code messages}
 * counter (round trips per second), comparable with the baselines and the C anchor.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Group)
public class NetifTxRingRoundTripBenchmark
{
    private static final int FRAME_SIZE = 60;
    private static final int FIRST_GREF = 8;

    /** Requests pushed before waiting for their responses (the ring has 256 slots). */
    @Param({"1", "16", "64", "256"})
    public int batch;

    /** Wait policy of both sides (see {@link IdleStrategies}). */
    @Param({IdleStrategies.BACKOFF})
    public String idle;

    private AtomicBuffer page;
    private FrontSide frontSide;
    private BackSide backSide;

    /**
     * Allocates one page-aligned shared ring page and runs SHARED_RING_INIT, as a frontend does before granting
     * it. Each side creates its own ring object on its first call, on its own thread, so the two sides' private
     * indices never share a cache line (in C they live on two thread stacks).
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            SharedRingDescriptor.PAGE_LENGTH, SharedRingDescriptor.PAGE_ALIGNMENT));
        final FrontRing init = NetifTxRing.front(page);
        if (batch < 1 || batch > init.size())
        {
            throw new IllegalArgumentException("batch must fit the ring: batch=" + batch + ", size=" + init.size());
        }
        init.sharedRingInit();
        frontSide = null;
        backSide = null;
    }

    /** Fails the trial (JMH reports it with {@code -foe true}) if any response came back wrong. */
    @TearDown(Level.Trial)
    public void checkResponses()
    {
        if (frontSide != null && frontSide.errors != 0)
        {
            throw new IllegalStateException("bad responses: errors=" + frontSide.errors);
        }
    }

    /**
     * Front side: write and push a batch of TX requests, then consume all their responses.
     *
     * @param control  JMH control, to stop waiting when the iteration ends.
     * @param counters round trips completed.
     * @param spins    ring-full and poll-empty events.
     * @param notifies notifications the push asked for.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void front(
        final Control control, final MessageCounters counters, final SpinCounters spins, final NotifyCounters notifies)
    {
        FrontSide side = frontSide;
        if (side == null)
        {
            side = new FrontSide(page, batch, IdleStrategies.create(idle));
            frontSide = side;
        }
        side.roundTrip(control, counters, spins, notifies);
    }

    /**
     * Back side: answer every request published, or (after the final check finds none) wait one idle step.
     *
     * @param spins    poll-empty events.
     * @param notifies notifications the push asked for.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void back(final SpinCounters spins, final NotifyCounters notifies)
    {
        BackSide side = backSide;
        if (side == null)
        {
            side = new BackSide(page, IdleStrategies.create(idle));
            backSide = side;
        }
        side.poll(spins, notifies);
    }

    /** The frontend's half: its ring object, flyweights and wait state, touched by the front thread only. */
    static final class FrontSide
    {
        private final FrontRing front;
        private final AtomicBuffer buffer;
        private final int batch;
        private final IdleStrategy idle;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
        private int outstanding;
        int errors;

        FrontSide(final AtomicBuffer page, final int batch, final IdleStrategy idle)
        {
            this.front = NetifTxRing.front(page);
            this.front.init();
            this.buffer = front.buffer();
            this.batch = batch;
            this.idle = idle;
        }

        void roundTrip(
            final Control control,
            final MessageCounters counters,
            final SpinCounters spins,
            final NotifyCounters notifies)
        {
            // finish a batch cut short at the end of the previous iteration before starting a new one
            if (outstanding > 0 && !awaitResponses(control, counters, spins))
            {
                return;
            }
            final FrontRing front = this.front;
            final NetifTxRequestFlyweight request = this.request;
            for (int i = 0; i < batch; i++)
            {
                while (front.isFull())
                {
                    spins.ringFull++;
                    if (control.stopMeasurement)
                    {
                        return;
                    }
                    idle.idle();
                }
                final int reqProdPvt = front.reqProdPvt();
                request.wrap(front, reqProdPvt)
                    .gref(FIRST_GREF + i).offset(0).flags(0).id(i).size(FRAME_SIZE);
                front.reqProdPvt(reqProdPvt + 1);
                outstanding++;
            }
            if (front.pushRequestsAndCheckNotify())
            {
                notifies.notifies++;
            }
            idle.reset();
            awaitResponses(control, counters, spins);
        }

        private boolean awaitResponses(final Control control, final MessageCounters counters, final SpinCounters spins)
        {
            final FrontRing front = this.front;
            final NetifTxResponseFlyweight response = this.response;
            while (outstanding > 0)
            {
                final int rspProd = front.rspProdAcquire();
                int rspCons = front.rspCons();
                if (rspCons != rspProd)
                {
                    final int received = rspProd - rspCons;
                    for (; rspCons != rspProd; rspCons++)
                    {
                        response.wrap(front, rspCons);
                        final int status = response.status();
                        final int id = response.id();
                        errors += status == NetifResponseStatus.OKAY && id < batch ? 0 : 1;
                    }
                    front.rspCons(rspCons);
                    outstanding -= received;
                    counters.messages += received;
                    idle.reset();
                }
                else if (front.finalCheckForResponses() == 0)
                {
                    spins.pollEmpty++;
                    if (control.stopMeasurement)
                    {
                        return false;
                    }
                    idle.idle();
                }
            }
            return true;
        }
    }

    /** The backend's half: its ring object, flyweights and wait state, touched by the back thread only. */
    static final class BackSide
    {
        private final BackRing back;
        private final AtomicBuffer buffer;
        private final IdleStrategy idle;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();

        BackSide(final AtomicBuffer page, final IdleStrategy idle)
        {
            this.back = NetifTxRing.back(page);
            this.back.init();
            this.buffer = back.buffer();
            this.idle = idle;
        }

        void poll(final SpinCounters spins, final NotifyCounters notifies)
        {
            final BackRing back = this.back;
            final NetifTxRequestFlyweight request = this.request;
            final NetifTxResponseFlyweight response = this.response;
            final int size = back.size();
            final int reqProd = back.reqProdAcquire();
            if (back.requestProdOverflow(reqProd))
            {
                throw new IllegalStateException("ill-behaved front: reqProd=" + reqProd + ", rspProdPvt=" +
                    back.rspProdPvt());
            }
            final int firstReqCons = back.reqCons();
            int reqCons = firstReqCons;
            int rspProdPvt = back.rspProdPvt();
            // RING_REQUEST_CONS_OVERFLOW: never consume more requests than there is room to answer
            while (reqCons != reqProd && reqCons - rspProdPvt < size)
            {
                // read the peer's slot once into locals (RING_COPY_REQUEST), then answer in the same slot array
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
            if (reqCons != firstReqCons)
            {
                if (back.pushResponsesAndCheckNotify())
                {
                    notifies.notifies++;
                }
                idle.reset();
            }
            else if (back.finalCheckForRequests() == 0)
            {
                spins.pollEmpty++;
                idle.idle();
            }
        }
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(NetifTxRingRoundTripBenchmark.class, args);
    }
}
