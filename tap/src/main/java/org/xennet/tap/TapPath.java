package org.xennet.tap;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.NetDevice;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.offload.OffloadFeatures;

/**
 * The whole path in one process, with a real Linux stack at both ends:
 * <pre>
 *   guest TAP (eth0) &lt;-&gt; NetFront &lt;-&gt; rings + grants &lt;-&gt; NetBack &lt;-&gt; vif TAP
 *        [guest end thread: TAP reads, tx, rx]       [vif end thread: tx, TAP reads]
 * </pre>
 * Each end runs as an Agrona {@link Agent} on its own thread. With {@link IdleMode#BUSY_SPIN} it spins; with
 * {@link IdleMode#BACKOFF} it spins, yields, then sleeps, and with {@link IdleMode#PARK} it sleeps at once — sleeping
 * in {@code ppoll} on its TAP and a wake-up eventfd the other end writes when it publishes ring work while this end
 * sleeps ({@link TapIdleStrategy}), so an idle path uses no CPU yet wakes at once. A TAP that
 * disappears, or a ring peer that breaks, closes the whole path from a separate closer thread (agents stopped,
 * device closed, TAPs closed: the reverse of {@link #start}); {@link #awaitClosed} sees it, nothing hangs.
 * <p>
 * With {@link Context#queues(int)} above 1 the path runs that many such queue pairs side by side, each on one
 * {@code IFF_MULTI_QUEUE} fd of each TAP; the kernel picks the queue per flow, and a TAP written on queue k answers
 * that flow on queue k. Any queue that fails closes the whole path.
 */
public final class TapPath implements AutoCloseable
{
    /** Path state. */
    public enum State
    {
        /** Both ends are moving frames. */
        RUNNING,
        /** Torn down (by {@link #close()} or because an end went away; see {@link #closeReason()}). */
        CLOSED
    }

    /** Backend domain id. */
    public static final int BACKEND_DOMID = 0;
    /** Guest domain id. */
    public static final int GUEST_DOMID = 1;
    /** Most queue pairs a path runs (each one takes two threads). */
    public static final int MAX_QUEUES = 8;
    private static final int RX_BUFFERS = 256;
    private static final int TX_BUFFERS = 64;
    private static final int TX_BUFFER_PAGES = 3;
    private static final int GSO_TX_BUFFERS = 64; // a 64 KiB frame segmented for a peer without GSO takes ~45
    private static final int GSO_TX_BUFFER_PAGES = 17; // a 64 KiB GSO frame
    private static final int TAP_OFFLOAD =
        VirtioNetHdrDescriptor.TUN_F_CSUM | VirtioNetHdrDescriptor.TUN_F_TSO4 | VirtioNetHdrDescriptor.TUN_F_TSO6;
    private static final int POLL_LIMIT = 64;
    private static final int SPINS = 20;
    private static final int YIELDS = 0; // on a loaded machine a yield gives the core away for a whole time slice
    private static final long SLEEP_LIMIT_NS = 10_000_000L; // safety net only: the TAP and the eventfd wake an end

    private static IdleStrategy idleFor(final TapIdleStrategy strategy)
    {
        return null == strategy ? new BusySpinIdleStrategy() : strategy;
    }

    /** What to build: the two TAPs, how the threads wait, the grant version. */
    public static final class Context
    {
        private TapConfig guestTap;
        private TapConfig vifTap;
        private IdleMode idleMode = IdleMode.BACKOFF;
        private int grantVersion = 1;
        private boolean offload;
        private int peerFeatures = OffloadFeatures.ALL;
        private int queues = 1;

        /** @return how many queue pairs the path runs. */
        public int queues()
        {
            return queues;
        }

        /**
         * @param v queue pairs (1 .. {@link #MAX_QUEUES}, default 1). Above 1 both TAPs are opened with
         *          {@code IFF_MULTI_QUEUE}, one fd per queue, and each queue pair (its own NetFront/NetBack, rings,
         *          grants and two threads) serves one fd on each TAP: the kernel spreads flows across the queues.
         * @return this.
         * @throws IllegalArgumentException when out of range.
         */
        public Context queues(final int v)
        {
            if (v < 1 || v > MAX_QUEUES)
            {
                throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ": " + v);
            }
            queues = v;
            return this;
        }

        /** @return whether GSO and checksum offload cross the path. */
        public boolean offload()
        {
            return offload;
        }

        /**
         * @param v open both TAPs with {@code TUNSETOFFLOAD} csum + TSO4/6 so 64 KiB GSO frames with blank checksums
         *          cross the ring as GSO extra slots and {@code csum_blank} flags (default false: MTU-sized frames).
         * @return this.
         */
        public Context offload(final boolean v)
        {
            offload = v;
            return this;
        }

        /** @return the {@link OffloadFeatures} each end is told its peer offers. */
        public int peerFeatures()
        {
            return peerFeatures;
        }

        /**
         * @param v what each end's peer offers ({@link OffloadFeatures} bits, default ALL); e.g. {@code SG} alone is
         *          a peer without {@code feature-gso-*}: the netfront then segments and checksums in software.
         * @return this.
         */
        public Context peerFeatures(final int v)
        {
            peerFeatures = v;
            return this;
        }

        /** @return the guest's TAP. */
        public TapConfig guestTap()
        {
            return guestTap;
        }

        /**
         * @param v the guest's TAP ({@code eth0} of the guest namespace).
         * @return this.
         */
        public Context guestTap(final TapConfig v)
        {
            guestTap = v;
            return this;
        }

        /** @return the vif's TAP. */
        public TapConfig vifTap()
        {
            return vifTap;
        }

        /**
         * @param v the vif's TAP (host namespace side).
         * @return this.
         */
        public Context vifTap(final TapConfig v)
        {
            vifTap = v;
            return this;
        }

        /** @return how each end's thread waits. */
        public IdleMode idleMode()
        {
            return idleMode;
        }

        /**
         * @param v how each end's thread waits when idle.
         * @return this.
         */
        public Context idleMode(final IdleMode v)
        {
            idleMode = v;
            return this;
        }

        /** @return the grant table version. */
        public int grantVersion()
        {
            return grantVersion;
        }

        /**
         * @param v grant table version (1 or 2).
         * @return this.
         */
        public Context grantVersion(final int v)
        {
            grantVersion = v;
            return this;
        }
    }

    private final QueuePair[] queues;
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<String> closeReason = new AtomicReference<>();
    private final Thread closer;
    private volatile State state = State.RUNNING;

    private TapPath(final Context context)
    {
        final int count = context.queues();
        if (count > 1)
        {
            context.guestTap().multiQueue(true); // each queue pair opens its own queue fd on both TAPs
            context.vifTap().multiQueue(true);
        }
        queues = new QueuePair[count];
        try
        {
            for (int q = 0; q < count; q++)
            {
                queues[q] = new QueuePair(q, context);
            }
        }
        catch (final RuntimeException ex)
        {
            for (int q = count - 1; q >= 0; q--) // undo in reverse
            {
                if (null != queues[q])
                {
                    queues[q].release();
                }
            }
            throw ex;
        }
        closer = new Thread(this::closeWhenRequested, "tap-path-closer");
        closer.setDaemon(true);
    }

    /**
     * Opens both TAPs and the vif, then starts the vif end and the guest end on their own threads.
     *
     * @param context what to build.
     * @return the running path.
     * @throws TapException when a TAP cannot be opened (the message names what is missing).
     */
    public static TapPath start(final Context context)
    {
        final TapPath path = new TapPath(context);
        for (final QueuePair queue : path.queues)
        {
            AgentRunner.startOnThread(queue.vifRunner);
            AgentRunner.startOnThread(queue.guestRunner);
        }
        path.closer.start();
        return path;
    }

    private void onAgentError(final Throwable error)
    {
        requestClose("end failed: " + error);
    }

    private void requestClose(final String reason)
    {
        closeReason.compareAndSet(null, reason);
        closeRequested.countDown();
    }

    /** Closer thread: the teardown runs here so an agent never waits for its own thread to stop. */
    private void closeWhenRequested()
    {
        try
        {
            closeRequested.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        // Reverse of start: every queue's threads stop first (no agent touches a closed TAP of another queue),
        // then per queue, last first: device, guest TAP, vif TAP.
        for (int q = queues.length - 1; q >= 0; q--)
        {
            queues[q].guestRunner.close();
            queues[q].vifRunner.close();
        }
        for (int q = queues.length - 1; q >= 0; q--)
        {
            queues[q].release();
        }
        state = State.CLOSED;
        closed.countDown();
    }

    /**
     * Waits until the path is closed (by {@link #close()} or because an end went away).
     *
     * @param timeout longest wait.
     * @param unit    its unit.
     * @return true when closed.
     * @throws InterruptedException when interrupted.
     */
    public boolean awaitClosed(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return closed.await(timeout, unit);
    }

    /**
     * Stops both ends and tears everything down in reverse order; waits for it.
     */
    @Override
    public void close()
    {
        requestClose("closed by its owner");
        boolean interrupted = false;
        while (true)
        {
            try
            {
                closed.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the state (any thread). */
    public State state()
    {
        return state;
    }

    /** @return why the path closed, or {@code null} while running. */
    public String closeReason()
    {
        return closeReason.get();
    }

    /** @return how many queue pairs the path runs. */
    public int queues()
    {
        return queues.length;
    }

    /** @return queue 0's netfront (counters). */
    public NetFront front()
    {
        return front(0);
    }

    /** @return queue 0's netback (counters). */
    public NetBack back()
    {
        return back(0);
    }

    /** @return queue 0's guest TAP end (counters). */
    public TapGuestEnd guestEnd()
    {
        return guestEnd(0);
    }

    /** @return queue 0's vif TAP end (counters). */
    public TapVifEnd vifEnd()
    {
        return vifEnd(0);
    }

    /**
     * @param queue 0 .. {@link #queues()} - 1.
     * @return that queue's netfront (counters).
     */
    public NetFront front(final int queue)
    {
        return queues[queue].device.front();
    }

    /**
     * @param queue 0 .. {@link #queues()} - 1.
     * @return that queue's netback (counters).
     */
    public NetBack back(final int queue)
    {
        return queues[queue].device.back();
    }

    /**
     * @param queue 0 .. {@link #queues()} - 1.
     * @return that queue's guest TAP end (counters).
     */
    public TapGuestEnd guestEnd(final int queue)
    {
        return queues[queue].guestEnd;
    }

    /**
     * @param queue 0 .. {@link #queues()} - 1.
     * @return that queue's vif TAP end (counters).
     */
    public TapVifEnd vifEnd(final int queue)
    {
        return queues[queue].vifEnd;
    }

    /**
     * One queue pair: a queue fd on each TAP, a NetFront/NetBack pair with its own rings and grants, and two
     * threads. Queue pairs share nothing but the path's close latch.
     */
    private final class QueuePair
    {
        private final int index;
        private final TapDevice vifTap;
        private final TapDevice guestTap;
        private final NetDevice device;
        private final TapVifEnd vifEnd;
        private final TapGuestEnd guestEnd;
        private final TapIdleStrategy vifIdle;   // null with BUSY_SPIN
        private final TapIdleStrategy guestIdle; // null with BUSY_SPIN
        private final AgentRunner vifRunner;
        private final AgentRunner guestRunner;

        QueuePair(final int index, final Context context)
        {
            this.index = index;
            final int tapOffload = context.offload() ? TAP_OFFLOAD : 0;
            vifTap = TapDevice.open(context.vifTap().offload(tapOffload));
            TapDevice guest = null;
            NetDevice opened = null;
            try
            {
                guest = TapDevice.open(context.guestTap().offload(tapOffload));
                final int txBuffers = context.offload() ? GSO_TX_BUFFERS : TX_BUFFERS;
                final int txPages = context.offload() ? GSO_TX_BUFFER_PAGES : TX_BUFFER_PAGES;
                vifEnd = new TapVifEnd(vifTap);
                final GuestDomain domain = GuestDomain.create(GUEST_DOMID, context.grantVersion(),
                    2 + 2 * NetFrontConfig.MAX_IDS, RX_BUFFERS + txBuffers * txPages, 0x10_0000, 2,
                    GuestDomain.DEFAULT_RING_FIRST_FRAME);
                final NetFrontConfig config = new NetFrontConfig()
                    .backendDomid(BACKEND_DOMID)
                    .rxBufferFirstPage(0)
                    .rxBufferCount(RX_BUFFERS)
                    .txBufferFirstPage(RX_BUFFERS)
                    .txBufferCount(txBuffers)
                    .txBufferPages(txPages);
                final NetDevice netDevice = new NetDevice(domain, config, vifEnd.sink());
                final int rc = netDevice.open();
                if (rc != NetFrontResult.OK)
                {
                    throw new TapException("cannot open the vif: " + NetFrontResult.resultString(rc));
                }
                opened = netDevice;
                // what xenbus would read from the peer's keys
                netDevice.front().backendFeatures(context.peerFeatures());
                netDevice.back().frontendOffload(context.peerFeatures());
                vifEnd.attach(netDevice.back());
                netDevice.front().refillRx();
                final NetFront front = netDevice.front();
                final TxClaim claim = new TxClaim();
                guestEnd = new TapGuestEnd(guest).transmitter((buffer, offset, length, offload) ->
                    front.offer(buffer, offset, length, offload, claim));
            }
            catch (final RuntimeException ex)
            {
                if (null != opened)
                {
                    opened.close();
                }
                if (null != guest)
                {
                    guest.close();
                }
                vifTap.close();
                throw ex;
            }
            guestTap = guest;
            device = opened;
            if (context.idleMode() == IdleMode.BUSY_SPIN)
            {
                vifIdle = null;
                guestIdle = null;
            }
            else
            {
                // BACKOFF spins and yields first; PARK sleeps at once. Either sleeps in ppoll(TAP, eventfd).
                final int spins = context.idleMode() == IdleMode.BACKOFF ? SPINS : 0;
                final int yields = context.idleMode() == IdleMode.BACKOFF ? YIELDS : 0;
                final NetFront front = device.front();
                final NetBack back = device.back();
                vifIdle = new TapIdleStrategy(vifTap, spins, yields, SLEEP_LIMIT_NS,
                    () -> back.txRing().unconsumedRequests() > 0 ||
                        (vifEnd.hasPending() && back.rxRing().unconsumedRequests() > 0),
                    vifEnd::hasPending);
                guestIdle = new TapIdleStrategy(guestTap, spins, yields, SLEEP_LIMIT_NS,
                    () -> front.txRing().unconsumedResponses() > 0 || front.rxRing().unconsumedResponses() > 0,
                    guestEnd::hasPending);
            }
            vifRunner = new AgentRunner(idleFor(vifIdle), TapPath.this::onAgentError, null, new VifAgent());
            guestRunner =
                new AgentRunner(idleFor(guestIdle), TapPath.this::onAgentError, null, new GuestAgent());
        }

        /** Releases what the constructor opened, in reverse: device, idle eventfds, guest TAP, vif TAP. */
        void release()
        {
            device.close();
            if (null != guestIdle)
            {
                guestIdle.close();
                vifIdle.close();
            }
            guestTap.close();
            vifTap.close();
        }

        /** The guest end: tx completions, rx into the TAP, rx refill, TAP frames into tx. */
        private final class GuestAgent implements Agent
        {
            @Override
            public int doWork()
            {
                final NetFront front = device.front();
                final int tx = front.pollTx(null, 4 * POLL_LIMIT);
                final int rx = front.pollRx(guestEnd, 4 * POLL_LIMIT);
                if (tx < 0 || rx < 0)
                {
                    requestClose("queue " + index + " netfront " + NetFrontResult.resultString(Math.min(tx, rx)) + ": " +
                        front.brokenReason());
                    return 0;
                }
                if (rx > 0)
                {
                    front.refillRx();
                }
                final int fromTap = guestEnd.pollTap(POLL_LIMIT);
                if (fromTap == TapResult.GONE || guestEnd.isGone())
                {
                    requestClose("guest TAP " + guestTap.name() + " is gone");
                    return 0;
                }
                final int work = tx + rx + fromTap;
                if (work > 0 && null != vifIdle)
                {
                    vifIdle.wake(); // requests or rx buffers were published: the vif end may be asleep
                }
                return work;
            }

            @Override
            public String roleName()
            {
                return "tap-guest-" + guestTap.name() + "-q" + index;
            }
        }

        /** The vif end: tx ring into the TAP, TAP frames into the rx ring. */
        private final class VifAgent implements Agent
        {
            @Override
            public int doWork()
            {
                final NetBack back = device.back();
                final int tx = back.pollTx(POLL_LIMIT);
                if (tx < 0)
                {
                    requestClose("queue " + index + " netback " + NetBack.resultString(tx) + ": " + back.fault());
                    return 0;
                }
                final int fromTap = vifEnd.pollTap(POLL_LIMIT);
                if (fromTap == TapResult.GONE || vifEnd.isGone())
                {
                    requestClose("vif TAP " + vifTap.name() + " is gone");
                    return 0;
                }
                final int work = tx + fromTap;
                if (work > 0 && null != guestIdle)
                {
                    guestIdle.wake(); // responses were published: the guest end may be asleep
                }
                return work;
            }

            @Override
            public String roleName()
            {
                return "tap-vif-" + vifTap.name() + "-q" + index;
            }
        }
    }
}
