package org.xennet.core.netback;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannels;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.XenbusException;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.xenstore.XenStore;
import org.xennet.grant.FrameMapper;

/**
 * The xenbus half of a netback: a state machine over the vif's backend directory, driven by a xenstore watch on
 * the frontend's {@code state} node (no polling), that maps the rings and binds the event channels of a
 * {@link NetBack} when the frontend is Connected and lets go of them when it leaves.
 * <p>
 * Level-triggered: each event re-reads the frontend's and its own state and acts on them, so a lost or
 * coalesced event cannot desynchronise it. What it does for each frontend state:
 * <pre>
 *   frontend       backend (both behaviours unless noted)
 *   Initialising   MODERN: from any state to InitWait (disconnecting; Connected/Closing walk through Closed)
 *                  LEGACY (XenServer 6.2): only from Closed to InitWait; ignored in every other state
 *   Connected      from InitWait/Initialised: read and validate the frontend's keys, map, bind, Connected;
 *                  bad or missing keys: write {@code error}, Closing, Closed
 *   Closing        disconnect, Closing
 *   Closed         disconnect, Closed (through Closing from Connected)
 *   other          nothing
 * </pre>
 * Never throws into the watch thread: every failure is written to the {@code error} node and kept in
 * {@link #lastError()}. The data path roles of the {@link NetBack} must be idle when the frontend leaves
 * Connected (the tests and the demo drive them on the thread that also drives the handshake).
 */
public final class XenbusNetBack implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(XenbusNetBack.class.getName());
    private static final AtomicLong TOKENS = new AtomicLong();

    /**
     * A frontend state the backend acted on, and the backend's own state at that moment.
     *
     * @param frontend the frontend's state read.
     * @param backend  the backend's state when it read it.
     */
    public record Observation(XenbusState frontend, XenbusState backend)
    {
    }

    /** How the backend treats a frontend that goes (back) to Initialising. */
    public enum Behaviour
    {
        /** Current Linux netback: Initialising from any state leads back to InitWait. */
        MODERN,
        /** XenServer 6.2 style: Initialising is ignored unless the backend has reached Closed. */
        LEGACY
    }

    private final XenStore store;
    private final String backendPath;
    private final NetBack back;
    private final FrameMapper ringMemory;
    private final EventChannels registry;
    private final Behaviour behaviour;
    private final XenbusStateListener listener;
    private final String token = "xennet-netback-" + TOKENS.incrementAndGet();
    private final List<Observation> observed = new ArrayList<>();
    private String frontendPath;
    private int frontendDomid = -1;
    private volatile XenbusState state = XenbusState.UNKNOWN;
    private volatile String lastError;
    private boolean watching;
    private boolean closed;
    private long connects;

    /**
     * @param store       the xenstore.
     * @param backendPath the backend directory, such as {@code /local/domain/0/backend/vif/1/0}.
     * @param back        the data path (bound to the frontend domain's grant table).
     * @param ringMemory  how the hypervisor reaches the frontend's ring frames.
     * @param registry    binds to the frontend's event channel ports ({@code bind_interdomain}).
     * @param behaviour   modern or legacy reset handling.
     * @param listener    told of every state this end writes.
     */
    public XenbusNetBack(
        final XenStore store,
        final String backendPath,
        final NetBack back,
        final FrameMapper ringMemory,
        final EventChannels registry,
        final Behaviour behaviour,
        final XenbusStateListener listener)
    {
        this.store = store;
        this.backendPath = backendPath;
        this.back = back;
        this.ringMemory = ringMemory;
        this.registry = registry;
        this.behaviour = behaviour;
        this.listener = listener;
    }

    // =========================================================================================================
    // Lifecycle: start = probe, act on the frontend's current state, watch it; close = unwatch, disconnect.
    // =========================================================================================================

    /**
     * Starts driving the device from whatever state its node holds: reads {@code frontend} and {@code frontend-id},
     * advertises the features, finishes a pending probe (Unknown or Initialising to InitWait, as
     * {@code netback_probe} does), acts on the frontend's current state, then watches it.
     *
     * @throws XenbusException when {@code frontend} or {@code frontend-id} is missing or malformed.
     */
    public synchronized void start()
    {
        if (watching)
        {
            throw new IllegalStateException("netback already started: path=" + backendPath);
        }
        frontendPath = readOwnKey(VifKeys.FRONTEND);
        final long domid = VifKeys.parseU32(readOwnKey(VifKeys.FRONTEND_ID));
        if (domid < 0 || domid > 0xFFFF)
        {
            throw new XenbusException("netback frontend-id malformed: path=" + backendPath + "/" +
                VifKeys.FRONTEND_ID);
        }
        frontendDomid = (int)domid;
        writeOwnKey(VifKeys.FEATURE_RX_COPY, VifKeys.ON);
        writeOwnKey(VifKeys.FEATURE_SG, VifKeys.ON);
        writeOwnKey(VifKeys.FEATURE_RX_NOTIFY, VifKeys.ON);
        writeOwnKey(VifKeys.FEATURE_SPLIT_EVENT_CHANNELS, VifKeys.ON);
        state = readOwnState();
        if (state == XenbusState.UNKNOWN || state == XenbusState.INITIALISING)
        {
            switchState(XenbusState.INIT_WAIT);
        }
        onFrontendChanged();
        store.watch(frontendPath + "/" + VifKeys.STATE, token, (path, eventToken) -> onFrontendChanged());
        watching = true;
    }

    /**
     * Stops watching and lets go of the rings and event channels (the state node is left as it is, as a backend
     * driver that is unloaded leaves it). Idempotent.
     */
    @Override
    public synchronized void close()
    {
        closed = true; // events already queued for the watch may still arrive: ignore them
        if (watching)
        {
            watching = false;
            try
            {
                store.unwatch(frontendPath + "/" + VifKeys.STATE, token);
            }
            catch (final RuntimeException ex)
            {
                // the store may be closing; the watch dies with it
            }
        }
        disconnect();
    }

    // =========================================================================================================
    // The state machine (watch thread, or start())
    // =========================================================================================================

    private synchronized void onFrontendChanged()
    {
        if (frontendPath == null || closed)
        {
            return;
        }
        try
        {
            final Optional<String> text = store.readIfExists(XenStore.NO_TRANSACTION, frontendPath + "/" +
                VifKeys.STATE);
            final XenbusState frontend;
            try
            {
                frontend = text.isEmpty() ? XenbusState.UNKNOWN : XenbusState.parse(text.get());
            }
            catch (final IllegalArgumentException ex)
            {
                lastError = "netback ignored a bad frontend state: path=" + frontendPath + "/state, value=\"" +
                    text.get() + "\"";
                return; // never trust the peer: a bad value changes nothing
            }
            final XenbusState current = readOwnState();
            observe(frontend, current);
            act(frontend, current);
        }
        catch (final RuntimeException ex)
        {
            // Never into the watch thread: a store failure is recorded and the next event starts afresh.
            lastError = "netback state machine failed: path=" + backendPath + ", cause=" + ex;
            LOG.log(System.Logger.Level.WARNING, lastError, ex);
        }
    }

    private void act(final XenbusState frontend, final XenbusState current)
    {
        state = current;
        switch (frontend)
        {
            case INITIALISING -> onFrontendInitialising(current);
            case CONNECTED ->
            {
                if (current == XenbusState.INIT_WAIT || current == XenbusState.INITIALISED)
                {
                    connect();
                }
            }
            case CLOSING ->
            {
                disconnect();
                if (current != XenbusState.CLOSING && current != XenbusState.CLOSED)
                {
                    switchState(XenbusState.CLOSING);
                }
            }
            case CLOSED ->
            {
                disconnect();
                walkToClosed(current);
            }
            default ->
            {
                // Unknown, InitWait, Initialised, Reconfiguring, Reconfigured: nothing for a netback to do
            }
        }
    }

    private void onFrontendInitialising(final XenbusState current)
    {
        if (current == XenbusState.INIT_WAIT)
        {
            return;
        }
        if (behaviour == Behaviour.LEGACY && current != XenbusState.CLOSED)
        {
            return; // XenServer 6.2: "prepare for reconnect" only once the frontend has taken it to Closed
        }
        disconnect();
        if (current == XenbusState.CONNECTED || current == XenbusState.CLOSING ||
            current == XenbusState.RECONFIGURING || current == XenbusState.RECONFIGURED)
        {
            walkToClosed(current); // Linux's set_backend_state: Connected -> Closing -> Closed -> InitWait
        }
        switchState(XenbusState.INIT_WAIT);
    }

    private void walkToClosed(final XenbusState current)
    {
        if (current == XenbusState.CONNECTED || current == XenbusState.RECONFIGURING ||
            current == XenbusState.RECONFIGURED)
        {
            switchState(XenbusState.CLOSING);
        }
        if (current != XenbusState.CLOSED)
        {
            switchState(XenbusState.CLOSED);
        }
    }

    // =========================================================================================================
    // Connect: read, validate, map, bind
    // =========================================================================================================

    private void connect()
    {
        final long txRingRef = VifKeys.parseU32(readFrontendKey(VifKeys.TX_RING_REF));
        final long rxRingRef = VifKeys.parseU32(readFrontendKey(VifKeys.RX_RING_REF));
        final long txPort = VifKeys.parseU32(readFrontendKey(VifKeys.EVENT_CHANNEL_TX));
        final long rxPort = VifKeys.parseU32(readFrontendKey(VifKeys.EVENT_CHANNEL_RX));
        final String problem;
        if (txRingRef < 0 || rxRingRef < 0)
        {
            problem = "bad or missing ring ref: " + describe(VifKeys.TX_RING_REF) + ", " +
                describe(VifKeys.RX_RING_REF);
        }
        else if (!VifKeys.ON.equals(readFrontendKey(VifKeys.REQUEST_RX_COPY)))
        {
            problem = "frontend must request rx copy: " + describe(VifKeys.REQUEST_RX_COPY);
        }
        else if (!VifKeys.ON.equals(readFrontendKey(VifKeys.FEATURE_RX_NOTIFY)))
        {
            problem = "feature-rx-notify is mandatory: " + describe(VifKeys.FEATURE_RX_NOTIFY);
        }
        else
        {
            problem = bind(txRingRef, rxRingRef, txPort, rxPort);
        }
        if (problem != null)
        {
            fail(problem);
            return;
        }
        connects++;
        store.rm(backendPath + "/" + VifKeys.ERROR);
        switchState(XenbusState.CONNECTED);
    }

    private String bind(final long txRingRef, final long rxRingRef, final long txPort, final long rxPort)
    {
        final int domid = back.backendDomid();
        final EventChannel txEnd = txPort == rxPort ? null : registry.bindInterdomain(domid, frontendDomid, txPort);
        final EventChannel rxEnd = null == txEnd ? null : registry.bindInterdomain(domid, frontendDomid, rxPort);
        if (txEnd == null || rxEnd == null)
        {
            if (null != txEnd)
            {
                txEnd.close();
            }
            return "bad or missing event channel: " + describe(VifKeys.EVENT_CHANNEL_TX) + ", " +
                describe(VifKeys.EVENT_CHANNEL_RX);
        }
        back.disconnect(); // a fault left from a previous connection
        final int rc = back.connect(frontendDomid, (int)txRingRef, (int)rxRingRef, ringMemory, txEnd, rxEnd);
        if (rc != 0)
        {
            rxEnd.close();
            txEnd.close();
            return "cannot map rings: " + describe(VifKeys.TX_RING_REF) + ", " + describe(VifKeys.RX_RING_REF) +
                ", result=" + NetBack.resultString(rc) + ", fault=" + back.fault();
        }
        return null;
    }

    /** As {@code xenbus_dev_fatal}: say why in the {@code error} node, then close the device. */
    private void fail(final String problem)
    {
        lastError = "netback connect failed: " + problem;
        store.write(backendPath + "/" + VifKeys.ERROR, lastError);
        switchState(XenbusState.CLOSING);
        switchState(XenbusState.CLOSED);
    }

    private void disconnect()
    {
        if (back.state() != NetBack.State.CLOSED)
        {
            back.disconnect();
        }
    }

    // =========================================================================================================
    // State and keys
    // =========================================================================================================

    private void switchState(final XenbusState to)
    {
        listener.onSwitchState(backendPath, state, to); // before the write: logs read in causal order
        store.write(backendPath + "/" + VifKeys.STATE, to.text());
        state = to;
    }

    private XenbusState readOwnState()
    {
        final Optional<String> text = store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + VifKeys.STATE);
        try
        {
            return text.isEmpty() ? XenbusState.UNKNOWN : XenbusState.parse(text.get());
        }
        catch (final IllegalArgumentException ex)
        {
            return XenbusState.UNKNOWN;
        }
    }

    private void observe(final XenbusState frontend, final XenbusState current)
    {
        if (observed.isEmpty() || !observed.get(observed.size() - 1).equals(new Observation(frontend, current)))
        {
            observed.add(new Observation(frontend, current));
        }
    }

    private String readFrontendKey(final String name)
    {
        return store.readIfExists(XenStore.NO_TRANSACTION, frontendPath + "/" + name).orElse(null);
    }

    private String describe(final String name)
    {
        final String value = readFrontendKey(name);
        return name + "=" + (value == null ? "(none)" : "\"" + value + "\"");
    }

    private String readOwnKey(final String name)
    {
        return store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + name)
            .orElseThrow(() -> new XenbusException("netback key missing: path=" + backendPath + "/" + name));
    }

    private void writeOwnKey(final String name, final String value)
    {
        store.write(backendPath + "/" + name, value);
    }

    // =========================================================================================================
    // Accessors
    // =========================================================================================================

    /** @return the state this end last wrote or read. */
    public XenbusState state()
    {
        return state;
    }

    /** @return the behaviour. */
    public Behaviour behaviour()
    {
        return behaviour;
    }

    /** @return the data path. */
    public NetBack back()
    {
        return back;
    }

    /** @return the backend directory. */
    public String backendPath()
    {
        return backendPath;
    }

    /**
     * @return the frontend states this end acted on, consecutive repeats collapsed (a copy). Being level-triggered,
     *     it sees the state current when it handles an event: a state the frontend replaced before that is missed.
     */
    public synchronized List<XenbusState> observedFrontendStates()
    {
        final List<XenbusState> states = new ArrayList<>();
        for (final Observation o : observed)
        {
            if (states.isEmpty() || states.get(states.size() - 1) != o.frontend())
            {
                states.add(o.frontend());
            }
        }
        return states;
    }

    /** @return each (frontend state, own state) this end acted on, consecutive repeats collapsed (a copy). */
    public synchronized List<Observation> observations()
    {
        return List.copyOf(observed);
    }

    /** @return how many times the rings were mapped. */
    public synchronized long connects()
    {
        return connects;
    }

    /** @return the last failure (also in the {@code error} node), or {@code null}. */
    public String lastError()
    {
        return lastError;
    }

    @Override
    public String toString()
    {
        return "XenbusNetBack{path=" + backendPath + ", behaviour=" + behaviour + ", state=" + state + "}";
    }
}
