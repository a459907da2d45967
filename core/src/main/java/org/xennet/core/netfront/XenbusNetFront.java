package org.xennet.core.netfront;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;

import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannels;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.XenbusException;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.core.xenbus.XenbusStateNode;
import org.xennet.core.xenbus.XenbusStateWaiter;
import org.xennet.core.xenbus.XenbusTimeoutException;
import org.xennet.xenstore.XenStore;

/**
 * The xenbus half of a netfront, as iPXE's {@code netfront_probe/reset/open/close}: publishes a {@link NetFront}'s
 * rings, event channels and features in its xenstore directory and walks the state handshake with the backend.
 * The data path stays on {@link #front()}, untouched by xenbus.
 * <p>
 * {@link #open()}: {@link #reset()}; check the backend offers {@code feature-rx-copy} (hardening rule 18) and
 * split event channels; open the rings; write {@code tx-ring-ref}, {@code rx-ring-ref}, {@code event-channel-tx},
 * {@code event-channel-rx}, {@code request-rx-copy}, {@code feature-sg}, {@code feature-no-csum-offload},
 * {@code feature-rx-notify}; state Connected; wait for the backend's Connected. A failing step undoes the finished
 * ones in reverse order (a failed wait for Connected first resets). {@link #close()} is the same list backwards.
 * <p>
 * Setup-time object: one thread calls {@link #reset()}, {@link #open()} and {@link #close()}, while the data path
 * roles of {@link #front()} are idle.
 */
public final class XenbusNetFront implements AutoCloseable
{
    private final XenStore store;
    private final String frontendPath;
    private final NetFront front;
    private final EventChannels registry;
    private final Duration timeout;
    private final XenbusStateListener listener;
    private final XenbusStateNode frontState;
    private final XenbusStateNode backState;
    private final XenbusStateWaiter waiter;
    private final String backendPath;
    private final int backendDomid;
    private final byte[] mac;
    private final Deque<Step> undo = new ArrayDeque<>(); // open's finished steps, the latest first
    private XenbusState published;
    private RuntimeException linkError;

    /** A finished open step and how to undo it. */
    private record Step(String name, Runnable undo)
    {
    }

    /**
     * Probes the device ({@code netfront_probe}): reads {@code backend}, {@code backend-id} and {@code mac}.
     *
     * @param store        the xenstore.
     * @param frontendPath the device directory, such as {@code /local/domain/1/device/vif/0}.
     * @param front        the data path (its config's backendDomid must match {@code backend-id}).
     * @param registry     allocates the event channel ports offered to the backend (in process or in a file).
     * @param timeout      how long each wait for the backend lasts ({@link XenbusStateWaiter#DEFAULT_TIMEOUT}).
     * @param listener     told of every state this end writes.
     * @throws XenbusException when a key is missing or malformed.
     */
    public XenbusNetFront(
        final XenStore store,
        final String frontendPath,
        final NetFront front,
        final EventChannels registry,
        final Duration timeout,
        final XenbusStateListener listener)
    {
        this.store = store;
        this.frontendPath = frontendPath;
        this.front = front;
        this.registry = registry;
        this.timeout = timeout;
        this.listener = listener;
        this.backendPath = readKey(VifKeys.BACKEND);
        if (!backendPath.startsWith("/"))
        {
            throw new XenbusException("netfront backend path not absolute: path=" + key(VifKeys.BACKEND) +
                ", value=\"" + backendPath + "\"");
        }
        final long domid = VifKeys.parseU32(readKey(VifKeys.BACKEND_ID));
        if (domid < 0 || domid > 0xFFFF || domid != front.config().backendDomid())
        {
            throw new XenbusException("netfront backend-id does not match: path=" + key(VifKeys.BACKEND_ID) +
                ", value=\"" + readKey(VifKeys.BACKEND_ID) + "\", configured=" + front.config().backendDomid());
        }
        this.backendDomid = (int)domid;
        try
        {
            this.mac = VifKeys.parseMac(readKey(VifKeys.MAC));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new XenbusException("netfront " + ex.getMessage() + ", path=" + key(VifKeys.MAC));
        }
        this.frontState = new XenbusStateNode(store, frontendPath);
        this.backState = new XenbusStateNode(store, backendPath);
        this.waiter = new XenbusStateWaiter(store);
        this.published = readStateOrUnknown(frontState);
    }

    // =========================================================================================================
    // Reset: bring the backend to InitWait, through Closed unless it is already there.
    // =========================================================================================================

    /**
     * {@code netfront_reset}: reads the backend state; unless it is InitWait, writes Closed and waits for the
     * backend's Closed (older backends such as XenServer 6.2 need it); then writes Initialising and waits for the
     * backend's InitWait.
     *
     * @throws XenbusTimeoutException naming the awaited and the last seen backend state.
     * @throws XenbusException when the backend's state node holds something other than a state.
     */
    public void reset()
    {
        final XenbusState current = readStateStrict(backState);
        if (current != XenbusState.INIT_WAIT)
        {
            setState(XenbusState.CLOSED);
            backState.await(XenbusState.CLOSED, timeout);
        }
        setState(XenbusState.INITIALISING);
        backState.await(XenbusState.INIT_WAIT, timeout);
    }

    // =========================================================================================================
    // Open and close: a list of steps, close runs it backwards.
    // =========================================================================================================

    /**
     * {@code netfront_open}: reset, publish rings, event channels and features, Connected, wait for the backend.
     *
     * @throws XenbusTimeoutException when the backend did not reach a state in time (everything undone).
     * @throws XenbusException when a feature is missing, the rings cannot be set up or the backend refused to
     *     connect (everything undone; the backend's {@code error} node is quoted).
     */
    public void open()
    {
        if (!undo.isEmpty())
        {
            throw new IllegalStateException("netfront already open: path=" + frontendPath);
        }
        reset();
        reclaimAbandonedRings();
        requireBackendFeature(VifKeys.FEATURE_RX_COPY);
        requireBackendFeature(VifKeys.FEATURE_SPLIT_EVENT_CHANNELS);
        try
        {
            createRings();
            writeFlag(VifKeys.REQUEST_RX_COPY);
            writeFlag(VifKeys.FEATURE_SG);
            writeFlag(VifKeys.FEATURE_NO_CSUM_OFFLOAD);
            writeFlag(VifKeys.FEATURE_RX_NOTIFY);
            setState(XenbusState.CONNECTED);
            undo.push(new Step("reset", this::reset));
            awaitBackendConnected();
        }
        catch (final RuntimeException ex)
        {
            undoAll(ex);
            throw ex;
        }
    }

    /**
     * {@code netfront_close}: reset (a failure is kept as {@link #linkError()} and teardown continues, as iPXE's
     * {@code netdev_link_err}), then removes every key open wrote, in reverse order, and closes the rings.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (undo.isEmpty())
        {
            return;
        }
        linkError = null;
        final Step reset = undo.pop();
        try
        {
            reset.undo().run();
        }
        catch (final RuntimeException ex)
        {
            linkError = ex;
        }
        while (!undo.isEmpty())
        {
            undo.pop().undo().run();
        }
    }

    /** alloc_unbound both ports, open the rings on them (the device then owns the ports), publish refs and ports. */
    private void createRings()
    {
        final int domid = front.config().frontendDomid();
        final EventChannel tx = registry.allocUnbound(domid, backendDomid);
        final EventChannel rx = null == tx ? null : registry.allocUnbound(domid, backendDomid);
        final int rc = null == rx ? NetFrontResult.NO_BUFFERS : front.open(tx, rx);
        if (rc != NetFrontResult.OK)
        {
            closeQuietly(rx);
            closeQuietly(tx);
            throw new XenbusException("netfront open failed: path=" + frontendPath + ", result=" +
                NetFrontResult.resultString(rc) + (null == rx ? " (no free event channel port)" : ""));
        }
        undo.push(new Step("close rings and event channels", front::close));
        writeKey(VifKeys.TX_RING_REF, Integer.toString(front.txRingRef()));
        writeKey(VifKeys.RX_RING_REF, Integer.toString(front.rxRingRef()));
        writeKey(VifKeys.EVENT_CHANNEL_TX, Integer.toString(tx.port()));
        writeKey(VifKeys.EVENT_CHANNEL_RX, Integer.toString(rx.port()));
    }

    private static void closeQuietly(final EventChannel end)
    {
        if (null != end)
        {
            end.close();
        }
    }

    private void writeFlag(final String name)
    {
        writeKey(name, VifKeys.ON);
    }

    private void writeKey(final String name, final String value)
    {
        store.write(key(name), value);
        undo.push(new Step("rm " + name, () -> store.rm(key(name))));
    }

    private void awaitBackendConnected()
    {
        final XenbusState state = waiter.await(
            backState.path(), EnumSet.of(XenbusState.CONNECTED, XenbusState.CLOSING, XenbusState.CLOSED), timeout);
        if (state != XenbusState.CONNECTED)
        {
            // The backend gave up (bad keys, missing feature): fail now rather than after the whole timeout.
            throw new XenbusException("netback refused to connect: path=" + backState.path() + ", state=" + state +
                ", error=\"" + store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + VifKeys.ERROR)
                .orElse("") + "\"");
        }
    }

    private void undoAll(final RuntimeException failure)
    {
        while (!undo.isEmpty())
        {
            final Step step = undo.pop();
            try
            {
                step.undo().run();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    /**
     * After an unclean reboot the previous driver instance left its rings granted and its ends registered. Reset
     * has made the backend let go of them (it disconnects before reaching Closed or InitWait), so they can be
     * ended and freed now instead of leaking.
     */
    private void reclaimAbandonedRings()
    {
        if (front.state() != NetFront.State.CLOSED)
        {
            front.close(); // closes the abandoned ports too, which frees them
        }
    }

    private void requireBackendFeature(final String name)
    {
        final Optional<String> value = store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + name);
        if (value.isEmpty() || !VifKeys.ON.equals(value.get()))
        {
            throw new XenbusException("netback lacks a required feature: path=" + backendPath + "/" + name +
                ", value=" + value.map(v -> "\"" + v + "\"").orElse("(none)"));
        }
    }

    // =========================================================================================================
    // State and keys
    // =========================================================================================================

    private void setState(final XenbusState state)
    {
        listener.onSwitchState(frontendPath, published, state); // before the write: logs read in causal order
        frontState.write(state);
        published = state;
    }

    private XenbusState readStateStrict(final XenbusStateNode node)
    {
        try
        {
            return node.read();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new XenbusException("xenbus " + ex.getMessage() + ", path=" + node.path());
        }
    }

    private static XenbusState readStateOrUnknown(final XenbusStateNode node)
    {
        try
        {
            return node.read();
        }
        catch (final IllegalArgumentException ex)
        {
            return XenbusState.UNKNOWN;
        }
    }

    private String readKey(final String name)
    {
        return store.readIfExists(XenStore.NO_TRANSACTION, key(name))
            .orElseThrow(() -> new XenbusException("netfront key missing: path=" + key(name)));
    }

    private String key(final String name)
    {
        return frontendPath + "/" + name;
    }

    // =========================================================================================================
    // Accessors
    // =========================================================================================================

    /** @return the data path. */
    public NetFront front()
    {
        return front;
    }

    /** @return whether open succeeded and close has not run since. */
    public boolean isOpen()
    {
        return !undo.isEmpty();
    }

    /** @return the device directory. */
    public String frontendPath()
    {
        return frontendPath;
    }

    /** @return the backend directory read from {@code backend}. */
    public String backendPath()
    {
        return backendPath;
    }

    /** @return the backend domain read from {@code backend-id}. */
    public int backendDomid()
    {
        return backendDomid;
    }

    /** @return a copy of the MAC address read from {@code mac}. */
    public byte[] mac()
    {
        return mac.clone();
    }

    /** @return the state this end last wrote (or found at probe). */
    public XenbusState frontendState()
    {
        return published;
    }

    /** @return the backend's state now ({@link XenbusState#UNKNOWN} when missing). */
    public XenbusState backendState()
    {
        return readStateOrUnknown(backState);
    }

    /** @return why the last {@link #close()} could not reset the backend, or {@code null}. */
    public RuntimeException linkError()
    {
        return linkError;
    }

    @Override
    public String toString()
    {
        return "XenbusNetFront{path=" + frontendPath + ", state=" + published + ", backend=" + backendPath + "}";
    }
}
