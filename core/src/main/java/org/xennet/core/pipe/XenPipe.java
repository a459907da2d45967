package org.xennet.core.pipe;

import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.Loopback;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;

/**
 * The front door: a one-way packet pipe between two threads of one process over the Xen netif path
 * ({@code sender netfront -> netback -> netback -> receiver netfront}, see {@link Loopback}), with the two
 * backends run as one Agrona {@link Agent}.
 * <pre>{@code
 * try (XenPipe pipe = XenPipe.open(new XenPipe.Context()))
 * {
 *     pipe.offer(buffer, 0, length);                       // sender thread: > 0 sent, < 0 a NetFrontResult
 *     pipe.poll((b, offset, len) -> { ... }, 64);          // receiver thread: packets received
 * }
 * }</pre>
 * <p>
 * <b>Threading.</b> One sender thread ({@link #offer}, {@link #tryClaim}, {@link #commit}, {@link #abort}), one
 * receiver thread ({@link #poll}); the backend runs on its own {@link AgentRunner} thread, or on a thread of the
 * caller's choice through {@link #doBackendWork()} when {@link Context#backendThread(boolean)} is false.
 * <p>
 * <b>Results.</b> One convention: &gt; 0 is success (slots used, bytes claimed, packets received), a negative
 * value is a named {@link NetFrontResult} ({@link #resultString(int)}); {@link NetFrontResult#RING_FULL} and
 * {@link NetFrontResult#NO_BUFFERS} mean back-pressure: retry later.
 */
public final class XenPipe implements AutoCloseable
{
    /** Largest packet: one tx claim buffer ({@link Loopback#TX_BUFFER_PAGES} pages). */
    public static final int MAX_PACKET_LENGTH = Loopback.TX_BUFFER_PAGES * 4096;

    private static final int POLL_LIMIT = 64;

    /** Parameters of a {@link XenPipe} (Aeron/Agrona Context style). */
    public static final class Context
    {
        private int grantVersion = 1;
        private long firstFrame = 0x10_0000;
        private boolean backendThread = true;
        private IdleStrategy backendIdle = new BackoffIdleStrategy();
        private ErrorHandler errorHandler = Throwable::printStackTrace;

        /** @param grantVersion grant table version of both guests, 1 or 2. @return this. */
        public Context grantVersion(final int grantVersion)
        {
            this.grantVersion = grantVersion;
            return this;
        }

        /** @param firstFrame frame of each guest's first memory page. @return this. */
        public Context firstFrame(final long firstFrame)
        {
            this.firstFrame = firstFrame;
            return this;
        }

        /**
         * @param backendThread true (default): run the backend on its own {@link AgentRunner} thread; false: the
         *                      caller runs it with {@link XenPipe#doBackendWork()}.
         * @return this.
         */
        public Context backendThread(final boolean backendThread)
        {
            this.backendThread = backendThread;
            return this;
        }

        /** @param backendIdle idle strategy of the backend thread. @return this. */
        public Context backendIdle(final IdleStrategy backendIdle)
        {
            this.backendIdle = backendIdle;
            return this;
        }

        /** @param errorHandler receives what the backend agent throws. @return this. */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }
    }

    /** Both backends' duty cycle: move the sender's packets into the receiver's posted buffers. */
    private static final class BackendAgent implements Agent
    {
        private final NetBack senderBack;

        BackendAgent(final NetBack senderBack)
        {
            this.senderBack = senderBack;
        }

        @Override
        public int doWork()
        {
            final int work = senderBack.pollTx(POLL_LIMIT); // delivers into the receiver
            if (work < 0)
            {
                throw new IllegalStateException("backend stopped: " + NetBack.resultString(work) +
                    ", fault=" + senderBack.fault());
            }
            return work;
        }

        @Override
        public String roleName()
        {
            return "xenpipe-backend";
        }
    }

    private final Loopback loopback;
    private final NetFront sender;
    private final NetFront receiver;
    private final BackendAgent agent;
    private final AgentRunner runner;
    private final TxClaim offerClaim = new TxClaim();

    private XenPipe(final Context context)
    {
        loopback = new Loopback(context.grantVersion, context.firstFrame, GuestDomain.DEFAULT_RING_FIRST_FRAME);
        final int rc = loopback.open();
        if (rc != NetFrontResult.OK)
        {
            throw new IllegalStateException("xenpipe: devices did not open: " + NetFrontResult.resultString(rc));
        }
        sender = loopback.a().front();
        receiver = loopback.b().front();
        receiver.refillRx(); // buffers posted before the first packet can arrive
        agent = new BackendAgent(loopback.a().back());
        if (context.backendThread)
        {
            runner = new AgentRunner(context.backendIdle, context.errorHandler, null, agent);
            AgentRunner.startOnThread(runner);
        }
        else
        {
            runner = null;
        }
    }

    /**
     * Opens a pipe: builds and opens both devices and starts the backend.
     *
     * @param context parameters.
     * @return the open pipe.
     */
    public static XenPipe open(final Context context)
    {
        return new XenPipe(context);
    }

    /**
     * Copies a packet in and sends it (sender thread). Reclaims completed sends first.
     *
     * @param buffer the packet bytes.
     * @param offset offset of its first byte.
     * @param length its length (1 .. {@link #MAX_PACKET_LENGTH}).
     * @return &gt; 0 when sent, or a negative {@link NetFrontResult} (RING_FULL/NO_BUFFERS: retry).
     */
    public int offer(final DirectBuffer buffer, final int offset, final int length)
    {
        sender.pollTx(null, POLL_LIMIT);
        return sender.offer(buffer, offset, length, offerClaim);
    }

    /**
     * Claims a buffer to build a packet in place (sender thread); then {@link #commit} or {@link #abort}.
     *
     * @param length bytes wanted (1 .. {@link #MAX_PACKET_LENGTH}).
     * @param claim  the caller's reusable claim: {@link TxClaim#buffer()} at {@link TxClaim#offset()}.
     * @return {@code length} (&gt; 0) once claimed, or a negative {@link NetFrontResult} (NO_BUFFERS: retry).
     */
    public int tryClaim(final int length, final TxClaim claim)
    {
        sender.pollTx(null, POLL_LIMIT);
        return sender.tryClaim(length, claim);
    }

    /**
     * Sends a claimed buffer; on failure the claim stays active (retry or {@link #abort}).
     *
     * @param claim  the active claim.
     * @param length bytes written.
     * @return &gt; 0 when sent, or a negative {@link NetFrontResult}.
     */
    public int commit(final TxClaim claim, final int length)
    {
        return sender.commit(claim, length);
    }

    /**
     * Releases a claim without sending.
     *
     * @param claim the active claim.
     */
    public void abort(final TxClaim claim)
    {
        sender.abort(claim);
    }

    /**
     * Hands received packets to {@code handler} (receiver thread), then posts the freed buffers again.
     *
     * @param handler receives each packet; the bytes are valid only during the call.
     * @param limit   most ring responses to consume.
     * @return packets received (&ge; 0), or a negative {@link NetFrontResult}.
     */
    public int poll(final RxPacketHandler handler, final int limit)
    {
        final int received = receiver.pollRx(handler, limit);
        final int refilled = receiver.refillRx();
        return received < 0 ? received : refilled < 0 && refilled != NetFrontResult.NO_BUFFERS ? refilled : received;
    }

    /**
     * Runs one backend duty cycle on the caller's thread (only when opened with
     * {@code backendThread(false)}).
     *
     * @return work done (&ge; 0).
     */
    public int doBackendWork()
    {
        if (runner != null)
        {
            throw new IllegalStateException("the backend runs on its own AgentRunner thread");
        }
        return agent.doWork();
    }

    /** @return the sending frontend (counters, state). */
    public NetFront sender()
    {
        return sender;
    }

    /** @return the receiving frontend (counters, state). */
    public NetFront receiver()
    {
        return receiver;
    }

    /**
     * Names a result.
     *
     * @param result a result of this pipe.
     * @return its name, or {@code COUNT(n)} for a success.
     */
    public static String resultString(final int result)
    {
        return NetFrontResult.resultString(result);
    }

    /** Stops the backend agent (waiting for its thread), then closes both devices. */
    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
        loopback.close();
    }
}
