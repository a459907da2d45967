package org.xennet.core.shm;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.xennet.core.event.EventChannel;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.netfront.TxCompletionHandler;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.XenbusException;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.core.xenbus.XenbusTimeoutException;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;
import org.xennet.grant.GrantRefAllocator;
import org.xennet.grant.GrantTable;

/**
 * A netfront in a {@link ShmDeviceFile}, talking to a backend in another process, with crash recovery: a backend
 * that stops answering (no tx response within the response timeout while packets are in flight) or that restarts
 * (its state leaves {@code Connected}) makes the frontend reset, report every packet still in flight to
 * {@link Listener#onReset(int)} as failed, and reconnect.
 * <p>
 * Two control planes:
 * <ul>
 * <li>the file's state words ({@link #ShmFrontend(ShmDeviceFile, Listener, long)}, {@code xennet_shm.h}): reset is
 *     {@code Closing}, drain what was answered, end the grants, {@code Closed}, reconnect at a new generation;</li>
 * <li>a xenstore ({@link #overXenbus}): the xenbus handshake of {@link XenbusNetFront} with the
 *     {@link ShmXenbusBackend} in the other process; reset is drain, {@link XenbusNetFront#close()} (its reset:
 *     Closed, wait for the backend's Closed, Initialising, wait for InitWait; keys removed, grants ended), then
 *     {@link XenbusNetFront#open()}. The backend's state is watched; the watch only raises a flag that the
 *     duty cycle checks, so the data path makes no xenstore call.</li>
 * </ul>
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
    private final XenStore store;
    private final String frontendPath;
    private final Duration xenbusTimeout;
    private final XenbusStateListener stateListener;
    private final String watchToken = "xennet-shm-frontend-" + ProcessHandle.current().pid();
    private XenbusNetFront xenbusFront;
    private volatile boolean backendStateChanged;
    private volatile boolean stopRequested;
    private boolean backendLeft; // sticky until the next connect: the watch's flag is consumed when read
    private RuntimeException lastXenbusError;
    private long inFlight;
    private long lastProgressNs;
    private long resets;
    private long failedAtReset;
    private boolean reclaimPending;
    private long reclaimedGrants;

    /**
     * Creates a closed frontend over the file's grant table, ring pages and guest memory.
     *
     * @param file              the attached device file.
     * @param listener          receives completions, packets and resets.
     * @param responseTimeoutMs how long packets may wait for an answer before the backend is presumed dead.
     */
    public ShmFrontend(final ShmDeviceFile file, final Listener listener, final long responseTimeoutMs)
    {
        this(file, listener, responseTimeoutMs, null, null, null, XenbusStateListener.NONE);
    }

    /**
     * Creates a closed frontend whose control plane is the xenbus handshake over {@code store}: the vif's
     * directories are made by the backend's side ({@link ShmXenbusBackend}); {@link #connect} waits for them.
     *
     * @param file              the attached device file.
     * @param listener          receives completions, packets and resets.
     * @param responseTimeoutMs how long packets may wait for an answer before the backend is presumed dead.
     * @param store             the xenstore shared with the backend process (the caller closes it).
     * @param devid             the vif's device id.
     * @param timeout           how long each xenbus wait for the backend lasts.
     * @param stateListener     told of every state this end writes.
     * @return the frontend.
     */
    public static ShmFrontend overXenbus(
        final ShmDeviceFile file,
        final Listener listener,
        final long responseTimeoutMs,
        final XenStore store,
        final int devid,
        final Duration timeout,
        final XenbusStateListener stateListener)
    {
        return new ShmFrontend(file, listener, responseTimeoutMs, store,
            VifKeys.frontendPath(file.frontendDomid(), devid), timeout, stateListener);
    }

    private ShmFrontend(
        final ShmDeviceFile file,
        final Listener listener,
        final long responseTimeoutMs,
        final XenStore store,
        final String frontendPath,
        final Duration xenbusTimeout,
        final XenbusStateListener stateListener)
    {
        this.store = store;
        this.frontendPath = frontendPath;
        this.xenbusTimeout = xenbusTimeout;
        this.stateListener = stateListener;
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
        // One frontend per file: a second live one is refused. Holding the claim, whatever ports and grants are in
        // the file were left by a frontend that is gone: its ports are freed now, its grants at the first connect.
        file.claimFrontend();
        file.events().reclaimAll();
        reclaimPending = true;
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
        if (null != store)
        {
            reclaimIfPending(); // a backend still on the dead frontend's rings only sees its copies fail
            return connectXenbus(deadline);
        }
        file.frontendState(XenbusState.INITIALISING);
        if (!awaitBackend(XenbusState.INIT_WAIT, idle, deadline))
        {
            return NetFrontResult.NOT_CONNECTED;
        }
        reclaimIfPending(); // the backend is in InitWait: it has let go of the dead frontend's rings
        final EventChannel tx = file.events().allocUnbound(file.frontendDomid(), file.backendDomid());
        final EventChannel rx =
            null == tx ? null : file.events().allocUnbound(file.frontendDomid(), file.backendDomid());
        final int rc = null == rx ? NetFrontResult.NO_BUFFERS : front.open(tx, rx);
        if (rc != NetFrontResult.OK)
        {
            closeQuietly(rx);
            closeQuietly(tx);
            file.frontendState(XenbusState.CLOSED);
            return rc;
        }
        front.refillRx();
        file.ringRefs(front.txRingRef(), front.rxRingRef());
        file.eventPorts(tx.port(), rx.port());
        file.nextGeneration(); // release: the backend sees the refs and ports of this generation
        file.frontendState(XenbusState.CONNECTED);
        if (!awaitBackend(XenbusState.CONNECTED, idle, deadline))
        {
            closeDevice();
            return NetFrontResult.NOT_CONNECTED;
        }
        lastProgressNs = System.nanoTime();
        return NetFrontResult.OK;
    }

    /**
     * Probes the vif once its directories exist, then runs {@link XenbusNetFront#open()} until it succeeds or the
     * deadline passes (a backend that is restarting times a wait out: try again).
     */
    private int connectXenbus(final long deadline)
    {
        while (true)
        {
            try
            {
                if (null == xenbusFront && store.exists(frontendPath + "/" + VifKeys.BACKEND))
                {
                    xenbusFront = new XenbusNetFront(
                        store, frontendPath, front, file.events(), xenbusTimeout, stateListener);
                    store.watch(xenbusFront.backendPath() + "/" + VifKeys.STATE, watchToken,
                        (path, token) -> backendStateChanged = true);
                }
                if (null != xenbusFront)
                {
                    xenbusFront.open();
                    break;
                }
            }
            catch (final XenbusException | XenbusTimeoutException | XenStoreException ex)
            {
                lastXenbusError = ex;
            }
            if (System.nanoTime() - deadline >= 0 || stopRequested || !file.intact())
            {
                return NetFrontResult.NOT_CONNECTED;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // cold path: the toolstack or backend is late
        }
        front.refillRx();
        front.txEvent().notifyPeer();
        backendLeft = false;
        lastProgressNs = System.nanoTime();
        return NetFrontResult.OK;
    }

    private void reclaimIfPending()
    {
        if (reclaimPending)
        {
            reclaimPending = false;
            reclaimedGrants += file.reclaimGrants();
        }
    }

    private static void closeQuietly(final EventChannel end)
    {
        if (null != end)
        {
            end.close();
        }
    }

    private boolean awaitBackend(final XenbusState wanted, final IdleStrategy idle, final long deadline)
    {
        idle.reset();
        while (file.backendState() != wanted.code())
        {
            if (System.nanoTime() - deadline >= 0 || stopRequested || !file.intact())
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
        if (tx + rx == 0)
        {
            front.txEvent().consume(); // wake-up hints only: the rings were just checked
            front.rxEvent().consume();
        }
        return tx + rx;
    }

    /**
     * Whether the backend is presumed gone: it left {@code Connected}, or packets waited past the response timeout.
     *
     * @return true when {@link #reset} is due.
     */
    public boolean backendLost()
    {
        if (front.state() != NetFront.State.CONNECTED)
        {
            return true;
        }
        if (null != store)
        {
            if (backendLeft || (backendStateChanged && xenbusBackendLeft()))
            {
                backendLeft = true;
                return true;
            }
        }
        else if (file.backendState() != XenbusState.CONNECTED.code())
        {
            return true;
        }
        return inFlight > 0 && System.nanoTime() - lastProgressNs > responseTimeoutNs;
    }

    /** Cold path, only after the watch fired: clear the flag first so a later change raises it again. */
    private boolean xenbusBackendLeft()
    {
        backendStateChanged = false;
        try
        {
            return xenbusFront.backendState() != XenbusState.CONNECTED;
        }
        catch (final XenStoreException ex)
        {
            lastXenbusError = ex;
            return true;
        }
    }

    private void onTxComplete(final int offset, final int length, final int status)
    {
        inFlight--;
        lastProgressNs = System.nanoTime();
        listener.onTxComplete(offset, length, status);
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
        if (null == store)
        {
            file.frontendState(XenbusState.CLOSING);
        }
        front.pollTx(txHandler, Integer.MAX_VALUE); // what the old backend answered still counts
        front.pollRx(listener, Integer.MAX_VALUE);
        if (null != store)
        {
            closeXenbus(); // the xenbus reset: Closed, backend Closed, Initialising, backend InitWait; grants ended
        }
        else
        {
            // A live backend acknowledges Closing by leaving Connected; a dead one never does (bounded wait).
            awaitBackendLeft(idle, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMs, 500)));
            closeDevice();
        }
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

    private void closeXenbus()
    {
        if (null != xenbusFront)
        {
            xenbusFront.close(); // reset, keys removed, rings closed (a failed reset is kept as its linkError)
            if (null != xenbusFront.linkError())
            {
                lastXenbusError = xenbusFront.linkError();
            }
        }
        if (front.state() != NetFront.State.CLOSED)
        {
            front.close(); // open never finished: nothing of it is left in xenstore
        }
    }

    private void closeDevice()
    {
        front.close(); // ends every grant and frees its ports; grants a dead backend still marks are deferred
        file.frontendState(XenbusState.CLOSED);
    }

    /**
     * Detaches cleanly: {@code Closing}, drain, close, {@code Closed}.
     */
    @Override
    public void close()
    {
        if (null != store)
        {
            front.pollTx(txHandler, Integer.MAX_VALUE);
            front.pollRx(listener, Integer.MAX_VALUE);
            closeXenbus();
            if (null != xenbusFront)
            {
                unwatchQuietly();
            }
            return;
        }
        file.frontendState(XenbusState.CLOSING);
        if (front.state() != NetFront.State.CLOSED)
        {
            front.pollTx(txHandler, Integer.MAX_VALUE);
            front.pollRx(listener, Integer.MAX_VALUE);
            closeDevice();
        }
        file.frontendState(XenbusState.CLOSED);
    }

    /**
     * Asks a {@link #connect} or {@link #reset} waiting for a backend to give up now (from another thread, e.g. a
     * SIGTERM hook): it returns {@link NetFrontResult#NOT_CONNECTED} at its next check.
     */
    public void requestStop()
    {
        stopRequested = true;
    }

    /** @return grant entries a dead frontend left and this one reclaimed. */
    public long reclaimedGrants()
    {
        return reclaimedGrants;
    }

    private void unwatchQuietly()
    {
        try
        {
            store.unwatch(xenbusFront.backendPath() + "/" + VifKeys.STATE, watchToken);
        }
        catch (final XenStoreException ex)
        {
            lastXenbusError = ex; // the store may be going away; the watch dies with it
        }
    }

    /** @return the xenbus frontend once probed ({@code null} with the in-file control plane or before). */
    public XenbusNetFront xenbusFront()
    {
        return xenbusFront;
    }

    /** @return the last xenstore or xenbus failure seen while connecting or resetting, or {@code null}. */
    public RuntimeException lastXenbusError()
    {
        return lastXenbusError;
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
