package org.xennet.core.shm;

import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.xennet.core.event.EventChannel;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.netfront.TxCompletionHandler;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.grant.GrantRefAllocator;
import org.xennet.grant.GrantTable;

/**
 * A netfront in a {@link ShmDeviceFile}, talking to a backend in another process through the in-file handshake
 * ({@code xennet_shm.h}), with crash recovery: a backend that stops answering (no tx response within the
 * response timeout while packets are in flight) or that restarts (its state word leaves {@code Connected}) makes the
 * frontend reset: {@code Closing}, drain what was answered, end its grants, {@code Closed}, report every packet
 * still in flight to {@link Listener#onReset(int)} as failed, then reconnect at a new generation.
 * <p>
 * Guest memory layout (pages of the file's guest region): rx buffers {@code [0, 256)}, 64 tx claim buffers of 3
 * pages {@code [256, 448)}. Single-threaded: {@link #connect}, {@link #offer}, {@link #doWork} on one thread.
 */
public final class ShmFrontend implements AutoCloseable
{
    /** Guest pages the frontend needs (rx buffers and tx claim buffers). */
    public static final int MIN_GUEST_PAGES = 256 + 64 * 3;

    /** Receives completions, packets and resets. Must not throw. */
    public interface Listener extends TxCompletionHandler, RxPacketHandler
    {
        /**
         * The frontend reset: packets transmitted and not answered are failed (never delivered twice: their ids
         * and grants are gone).
         *
         * @param inFlightFailed packets in flight that will never be completed.
         */
        void onReset(int inFlightFailed);
    }

    private static final int POLL_LIMIT = 256;

    private final ShmDeviceFile file;
    private final NetFront front;
    private final Listener listener;
    private final long responseTimeoutNs;
    private final TxClaim claim = new TxClaim();
    private final TxCompletionHandler txHandler = this::onTxComplete;
    private final EventChannel relayTx = new EventChannel(1);
    private final EventChannel relayRx = new EventChannel(2);
    private long inFlight;
    private long lastProgressNs;
    private long resets;
    private long failedAtReset;

    /**
     * Creates a closed frontend over the file's grant table, ring pages and guest memory.
     *
     * @param file              the attached device file.
     * @param listener          receives completions, packets and resets.
     * @param responseTimeoutMs how long packets may wait for an answer before the backend is presumed dead.
     */
    public ShmFrontend(final ShmDeviceFile file, final Listener listener, final long responseTimeoutMs)
    {
        this.file = file;
        this.listener = listener;
        this.responseTimeoutNs = TimeUnit.MILLISECONDS.toNanos(responseTimeoutMs);
        final GrantTable table = file.grantTable();
        final NetFrontConfig config = new NetFrontConfig()
            .frontendDomid(file.frontendDomid())
            .backendDomid(file.backendDomid())
            .rxBufferFirstPage(0)
            .rxBufferCount(256)
            .txBufferFirstPage(256)
            .txBufferCount(64)
            .txBufferPages(3);
        this.front = new NetFront(
            config, file.guestMemory(), file.ringMemory(), table, new GrantRefAllocator(table.entryCount()));
    }

    // =========================================================================================================
    // Handshake
    // =========================================================================================================

    /**
     * Connects: waits for a backend in {@code InitWait}, opens the device (rings granted and initialised), publishes
     * the ring refs at a new generation, writes {@code Connected} and waits for the backend's {@code Connected}.
     *
     * @param idle      how to wait.
     * @param timeoutMs longest wait for the backend.
     * @return {@link NetFrontResult#OK}, {@link NetFrontResult#NOT_CONNECTED} on timeout, or the open failure.
     */
    public int connect(final IdleStrategy idle, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        file.frontendPid(ProcessHandle.current().pid());
        file.frontendState(XenbusState.INITIALISING);
        if (!awaitBackend(XenbusState.INIT_WAIT, idle, deadline))
        {
            return NetFrontResult.NOT_CONNECTED;
        }
        final int rc = front.open();
        if (rc != NetFrontResult.OK)
        {
            file.frontendState(XenbusState.CLOSED);
            return rc;
        }
        relayTx.bind(front.txEvent()); // NetFront's notifications land here and are forwarded to the file
        relayRx.bind(front.rxEvent());
        front.refillRx();
        file.ringRefs(front.txRingRef(), front.rxRingRef());
        file.nextGeneration(); // release: the backend sees the refs of this generation
        file.frontendState(XenbusState.CONNECTED);
        file.toBackend().notifyPeer();
        if (!awaitBackend(XenbusState.CONNECTED, idle, deadline))
        {
            closeDevice();
            return NetFrontResult.NOT_CONNECTED;
        }
        lastProgressNs = System.nanoTime();
        return NetFrontResult.OK;
    }

    private boolean awaitBackend(final XenbusState wanted, final IdleStrategy idle, final long deadline)
    {
        idle.reset();
        while (file.backendState() != wanted.code())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            idle.idle();
        }
        return true;
    }

    // =========================================================================================================
    // Data path
    // =========================================================================================================

    /**
     * Copies a packet into a tx buffer and transmits it.
     *
     * @param source packet bytes.
     * @param offset offset in {@code source}.
     * @param length packet length.
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult} ({@code NO_BUFFERS}/{@code RING_FULL}:
     *         poll and retry).
     */
    public int offer(final DirectBuffer source, final int offset, final int length)
    {
        final int rc = front.offer(source, offset, length, claim);
        if (rc > 0)
        {
            if (inFlight++ == 0)
            {
                lastProgressNs = System.nanoTime(); // the response deadline starts with the first packet in flight
            }
            forwardEvents();
        }
        return rc;
    }

    /**
     * One duty cycle: tx completions, rx packets, rx refill, event forwarding, backend liveness.
     *
     * @return work done, or a negative {@link NetFrontResult} when the device is not usable.
     */
    public int doWork()
    {
        final int tx = front.pollTx(txHandler, POLL_LIMIT);
        final int rx = front.pollRx(listener, POLL_LIMIT);
        if (tx < 0 || rx < 0)
        {
            return Math.min(tx, rx); // BROKEN or NOT_CONNECTED: the caller resets
        }
        if (rx > 0)
        {
            front.refillRx();
        }
        forwardEvents();
        file.toFrontend().consume();
        return tx + rx;
    }

    /**
     * Whether the backend is presumed gone: it left {@code Connected}, or packets waited past the response timeout.
     *
     * @return true when {@link #reset} is due.
     */
    public boolean backendLost()
    {
        if (file.backendState() != XenbusState.CONNECTED.code() || front.state() != NetFront.State.CONNECTED)
        {
            return true;
        }
        return inFlight > 0 && System.nanoTime() - lastProgressNs > responseTimeoutNs;
    }

    private void onTxComplete(final int offset, final int length, final int status)
    {
        inFlight--;
        lastProgressNs = System.nanoTime();
        listener.onTxComplete(offset, length, status);
    }

    private void forwardEvents()
    {
        if (relayTx.consume() | relayRx.consume())
        {
            file.toBackend().notifyPeer();
        }
    }

    // =========================================================================================================
    // Reset and close
    // =========================================================================================================

    /**
     * Resets after a lost backend, then reconnects: {@code Closing}, drain answered work, wait briefly for the
     * backend to leave {@code Connected}, close (grants ended), {@code Closed}, fail the packets in flight,
     * {@link #connect}.
     *
     * @param idle      how to wait.
     * @param timeoutMs longest wait for a new backend.
     * @return the result of {@link #connect}.
     */
    public int reset(final IdleStrategy idle, final long timeoutMs)
    {
        resets++;
        file.frontendState(XenbusState.CLOSING);
        front.pollTx(txHandler, Integer.MAX_VALUE); // what the old backend answered still counts
        front.pollRx(listener, Integer.MAX_VALUE);
        // A live backend acknowledges Closing by leaving Connected; a dead one never does (bounded wait).
        awaitBackendLeft(idle, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMs, 500)));
        closeDevice();
        final long failed = inFlight;
        inFlight = 0;
        failedAtReset += failed;
        listener.onReset((int)failed);
        return connect(idle, timeoutMs);
    }

    private void awaitBackendLeft(final IdleStrategy idle, final long deadline)
    {
        idle.reset();
        while (file.backendState() == XenbusState.CONNECTED.code() && System.nanoTime() - deadline < 0)
        {
            idle.idle();
        }
    }

    private void closeDevice()
    {
        front.close(); // ends every grant; grants a dead backend still marks are deferred, never reused
        relayTx.close();
        relayRx.close();
        file.frontendState(XenbusState.CLOSED);
    }

    /**
     * Detaches cleanly: {@code Closing}, drain, close, {@code Closed}.
     */
    @Override
    public void close()
    {
        file.frontendState(XenbusState.CLOSING);
        if (front.state() != NetFront.State.CLOSED)
        {
            front.pollTx(txHandler, Integer.MAX_VALUE);
            front.pollRx(listener, Integer.MAX_VALUE);
            closeDevice();
        }
        file.frontendState(XenbusState.CLOSED);
        file.toBackend().notifyPeer();
    }

    /** @return the netfront (counters, state). */
    public NetFront netFront()
    {
        return front;
    }

    /** @return packets transmitted and not yet answered. */
    public long inFlight()
    {
        return inFlight;
    }

    /** @return resets so far. */
    public long resets()
    {
        return resets;
    }

    /** @return packets failed because they were in flight at a reset. */
    public long failedAtReset()
    {
        return failedAtReset;
    }
}
