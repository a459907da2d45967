package org.xennet.core.netback;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.offload.OffloadFeatures;
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
 *   Connected      from InitWait/Initialised: read and validate the frontend's keys (split event channels or
 *                  one event-channel; optional features negotiated, see {@link FrontendFeatures}), map, bind,
 *                  Connected; bad or missing keys: write {@code error}, Closing, Closed
 *   Closing        disconnect, Closing
 *   Closed         disconnect, Closed (through Closing from Connected)
 *   other          nothing
 * </pre>
 * Features and queues, as Linux's netback: it advertises {@code feature-sg}, {@code feature-gso-tcpv4},
 * {@code feature-gso-tcpv6} and {@code feature-ipv6-csum-offload} (those of {@link #offloadFeatures(int)}) and
 * {@code multi-queue-max-queues} (one per {@link NetBack} given); at connect it reads the frontend's
 * {@code multi-queue-num-queues} (absent: 1; 0 or more than offered: refused, as Linux), its per-queue keys (flat
 * for one queue, {@code queue-N/} for more) and its offload features, which each queue's {@link NetBack} applies.
 * <p>
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

    /** Which generation of netback this end behaves as: reset handling and the features it offers. */
    public enum Behaviour
    {
        /**
         * Current Linux netback: Initialising from any state leads back to InitWait; offers
         * {@code feature-split-event-channels} and reads {@code event-channel-tx}/{@code -rx}, falling back to
         * {@code event-channel}.
         */
        MODERN,
        /**
         * XenServer 6.2 era: Initialising is ignored unless the backend has reached Closed (the frontend must take
         * it through Closed); offers no split event channels and reads only {@code event-channel}.
         */
        LEGACY
    }

    private final XenStore store;
    private final String backendPath;
    private final NetBack back;
    private final List<NetBack> queues;
    private int offered = OffloadFeatures.ALL;
    private int connectedQueues;
    private final FrameMapper ringMemory;
    private final EventChannelRegistry registry;
    private final Behaviour behaviour;
    private final XenbusStateListener listener;
    private final String token = "xennet-netback-" + TOKENS.incrementAndGet();
    private final List<Observation> observed = new ArrayList<>();
    private final List<String> decisions = new ArrayList<>();
    private volatile FrontendFeatures negotiated;
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
     * @param registry    where the frontend's event channel ends are found by port.
     * @param behaviour   modern or legacy reset handling.
     * @param listener    told of every state this end writes.
     */
    public XenbusNetBack(
        final XenStore store,
        final String backendPath,
        final NetBack back,
        final FrameMapper ringMemory,
        final EventChannelRegistry registry,
        final Behaviour behaviour,
        final XenbusStateListener listener)
    {
        this(store, backendPath, List.of(back), ringMemory, registry, behaviour, listener);
    }

    /**
     * A multi-queue backend: offers {@code multi-queue-max-queues = queues.size()}; queue i of the frontend is
     * connected to {@code queues.get(i)}.
     *
     * @param store       the xenstore.
     * @param backendPath the backend directory.
     * @param queues      one data path per queue pair (at least one), all bound to the frontend domain's grant table.
     * @param ringMemory  how the hypervisor reaches the frontend's ring frames.
     * @param registry    where the frontend's event channel ends are found by port.
     * @param behaviour   modern or legacy reset handling.
     * @param listener    told of every state this end writes.
     */
    public XenbusNetBack(
        final XenStore store,
        final String backendPath,
        final List<NetBack> queues,
        final FrameMapper ringMemory,
        final EventChannelRegistry registry,
        final Behaviour behaviour,
        final XenbusStateListener listener)
    {
        if (queues.isEmpty())
        {
            throw new IllegalArgumentException("netback needs at least one queue: path=" + backendPath);
        }
        this.store = store;
        this.backendPath = backendPath;
        this.queues = List.copyOf(queues);
        this.back = queues.get(0);
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
        if (behaviour == Behaviour.MODERN)
        {
            writeOwnKey(VifKeys.FEATURE_SPLIT_EVENT_CHANNELS, VifKeys.ON);
        }
        else
        {
            store.rm(backendPath + "/" + VifKeys.FEATURE_SPLIT_EVENT_CHANNELS); // a newer driver's leftover
        }
        writeFeature(VifKeys.FEATURE_GSO_TCPV4, OffloadFeatures.GSO_TCPV4);
        writeFeature(VifKeys.FEATURE_GSO_TCPV6, OffloadFeatures.GSO_TCPV6);
        writeFeature(VifKeys.FEATURE_IPV6_CSUM_OFFLOAD, OffloadFeatures.IPV6_CSUM);
        writeOwnKey(VifKeys.MULTI_QUEUE_MAX_QUEUES, Integer.toString(queues.size()));
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
     * Sets the offload features advertised at {@link #start()} (default {@link OffloadFeatures#ALL}, as Linux's
     * netback); {@code feature-sg} is always advertised. An absent feature key means "not offered".
     *
     * @param features an {@link OffloadFeatures} bit set.
     * @return this.
     */
    public synchronized XenbusNetBack offloadFeatures(final int features)
    {
        offered = features | OffloadFeatures.SG;
        return this;
    }

    /**
     * Reads the frontend's optional features (netif.h), each with its fallback, and logs each decision once per
     * connection.
     */
    private FrontendFeatures negotiate(final int count, final int offload)
    {
        final boolean split = behaviour == Behaviour.MODERN &&
            readFrontendKey(VifKeys.queueKey(count, 0, VifKeys.EVENT_CHANNEL_TX)) != null &&
            readFrontendKey(VifKeys.queueKey(count, 0, VifKeys.EVENT_CHANNEL_RX)) != null;
        final boolean rxNotify = flag(VifKeys.FEATURE_RX_NOTIFY, false);
        final boolean sg = flag(VifKeys.FEATURE_SG, false);
        final boolean noCsumOffload = flag(VifKeys.FEATURE_NO_CSUM_OFFLOAD, false);
        decisions.clear();
        decide(split ? "event channels: split (event-channel-tx/-rx)" :
            "event channels: one for both rings (event-channel)");
        decide(rxNotify ? "feature-rx-notify: frontend notifies on rx requests" :
            "feature-rx-notify absent: polling for rx requests");
        decide(sg ? "feature-sg: multi-slot rx packets allowed" :
            "feature-sg absent: rx packets limited to one slot (larger ones dropped, counted)");
        decide(noCsumOffload ? "feature-no-csum-offload=1: blank checksums completed in software" :
            "checksum offload on: blank checksums passed with NETRXF_csum_blank");
        decide("gso to the frontend: " + ((offload & OffloadFeatures.GSO_TCPV4) != 0 ? "tcpv4" : "no tcpv4") + ", " +
            ((offload & OffloadFeatures.GSO_TCPV6) != 0 ? "tcpv6" : "no tcpv6") + " (the rest segmented in software)" +
            ((offload & OffloadFeatures.IPV6_CSUM) != 0 ? "; ipv6 checksum offload" : "; no ipv6 checksum offload"));
        decide("queues: " + count + (count == 1 ? " (flat keys)" : " (queue-N/ keys)"));
        return new FrontendFeatures(rxNotify, sg, !noCsumOffload);
    }

    private void decide(final String decision)
    {
        decisions.add(decision);
        LOG.log(System.Logger.Level.INFO, "netback " + backendPath + ": " + decision);
    }

    /** A frontend flag: "1" on, "0" off, absent = {@code absent}; anything else is off (never trust the peer). */
    private boolean flag(final String name, final boolean absent)
    {
        final String value = readFrontendKey(name);
        return value == null ? absent : VifKeys.ON.equals(value);
    }

    private void writeFeature(final String key, final int bit)
    {
        if ((offered & bit) != 0)
        {
            writeOwnKey(key, VifKeys.ON);
        }
        else
        {
            store.rm(backendPath + "/" + key); // a previous instance may have offered it
        }
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
        final String numText = readFrontendKey(VifKeys.MULTI_QUEUE_NUM_QUEUES);
        final long requested = numText == null ? 1 : VifKeys.parseU32(numText);
        String problem = null;
        if (requested < 1 || requested > queues.size())
        {
            // Linux: "guest requested %u queues, but valid range is 1 - %u" (buggy or malicious guest)
            problem = "guest requested " + (requested < 0 ? "\"" + numText + "\"" : Long.toString(requested)) +
                " queues, but valid range is 1 - " + queues.size() + ": " + describe(VifKeys.MULTI_QUEUE_NUM_QUEUES);
        }
        else if (!VifKeys.ON.equals(readFrontendKey(VifKeys.REQUEST_RX_COPY)))
        {
            problem = "frontend must request rx copy: " + describe(VifKeys.REQUEST_RX_COPY);
        }
        final int frontendFeatures = OffloadFeatures.fromKeys(this::readFrontendKey);
        final int count = (int)Math.max(requested, 1);
        if (problem == null)
        {
            negotiated = negotiate(count, frontendFeatures);
        }
        for (int q = 0; q < count && problem == null; q++)
        {
            problem = connectQueue(count, q, frontendFeatures);
            if (problem == null)
            {
                connectedQueues = q + 1;
            }
        }
        if (problem != null)
        {
            disconnect(); // the queues already connected, in reverse
            fail(problem);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "netback connected: path=" + backendPath + ", queues=" + count +
            ", frontend features=" + OffloadFeatures.toString(frontendFeatures));
        connects++;
        store.rm(backendPath + "/" + VifKeys.ERROR);
        switchState(XenbusState.CONNECTED);
    }

    private String connectQueue(final int count, final int q, final int frontendFeatures)
    {
        final String txRingKey = VifKeys.queueKey(count, q, VifKeys.TX_RING_REF);
        final String rxRingKey = VifKeys.queueKey(count, q, VifKeys.RX_RING_REF);
        final String txPortKey = VifKeys.queueKey(count, q, VifKeys.EVENT_CHANNEL_TX);
        final String rxPortKey = VifKeys.queueKey(count, q, VifKeys.EVENT_CHANNEL_RX);
        final String onePortKey = VifKeys.queueKey(count, q, VifKeys.EVENT_CHANNEL);
        final long txRingRef = VifKeys.parseU32(readFrontendKey(txRingKey));
        final long rxRingRef = VifKeys.parseU32(readFrontendKey(rxRingKey));
        // Linux connect_data_rings: the split keys if both are there (and split channels were offered), else the
        // one event-channel for both rings. A legacy backend offered no split channels and reads only the latter.
        final boolean split = behaviour == Behaviour.MODERN && readFrontendKey(txPortKey) != null &&
            readFrontendKey(rxPortKey) != null;
        final long txPort = VifKeys.parseU32(readFrontendKey(split ? txPortKey : onePortKey));
        final long rxPort = split ? VifKeys.parseU32(readFrontendKey(rxPortKey)) : txPort;
        if (txRingRef < 0 || rxRingRef < 0)
        {
            return "bad or missing ring ref: " + describe(txRingKey) + ", " + describe(rxRingKey);
        }
        final NetBack queue = queues.get(q);
        final EventChannel txEnd = registry.lookupUnbound(frontendDomid, txPort);
        final EventChannel rxEnd = split ? registry.lookupUnbound(frontendDomid, rxPort) : txEnd;
        if (txEnd == null || rxEnd == null || (split && txEnd == rxEnd))
        {
            // A port nobody holds unbound (stale keys of a dead frontend, a closed or bound port) never binds.
            return "bad or missing event channel: " + (split ? describe(txPortKey) + ", " + describe(rxPortKey) :
                describe(onePortKey)) + " (no unbound port of domain " + frontendDomid + " by that number)";
        }
        queue.disconnect(); // a fault left from a previous connection
        queue.frontendOffload(frontendFeatures);
        queue.frontendFeatures(negotiated); // feature-rx-notify, and sg/csum as the negotiation read them
        final int rc = queue.connect(frontendDomid, (int)txRingRef, (int)rxRingRef, ringMemory, txEnd, rxEnd);
        if (rc != 0)
        {
            return "cannot map rings: " + describe(txRingKey) + ", " + describe(rxRingKey) +
                ", result=" + NetBack.resultString(rc) + ", fault=" + queue.fault();
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
        for (int q = queues.size() - 1; q >= 0; q--)
        {
            if (queues.get(q).state() != NetBack.State.CLOSED)
            {
                queues.get(q).disconnect();
            }
        }
        connectedQueues = 0;
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

    /** @return every queue's data path (index = queue number). */
    public List<NetBack> queues()
    {
        return queues;
    }

    /** @return queue pairs connected now (0 when not connected). */
    public synchronized int connectedQueues()
    {
        return connectedQueues;
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

    /** @return the features of the last frontend that got as far as negotiation, or {@code null}. */
    public FrontendFeatures negotiated()
    {
        return negotiated;
    }

    /** @return the decisions of the last negotiation, one line each, as logged (a copy). */
    public synchronized List<String> decisions()
    {
        return List.copyOf(decisions);
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
