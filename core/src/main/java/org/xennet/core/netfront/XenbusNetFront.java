package org.xennet.core.netfront;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.offload.OffloadFeatures;
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
 * {@link #open()}: {@link #reset()}; check the backend offers {@code feature-rx-copy} (hardening rule 18); read its
 * optional features (each decision logged once per open): {@code feature-split-event-channels} (else, or when
 * {@link NetFrontConfig#singleEventChannel()} forces it, one {@code event-channel} for both rings) and
 * {@code feature-sg} (else tx packets are limited to one slot); per queue, allocate the event channel ends
 * ({@code alloc_unbound}, fresh ports each open), open the rings, write {@code tx-ring-ref}, {@code rx-ring-ref},
 * {@code event-channel-tx} and {@code event-channel-rx} or {@code event-channel} (removing the other form's stale
 * keys); then {@code request-rx-copy}, {@code feature-sg}, {@code feature-rx-notify} and the offload features;
 * state Connected; wait for the backend's Connected. A failing step undoes the finished ones in reverse order (a
 * failed wait for Connected first resets). {@link #close()} is the same list backwards.
 * <p>
 * Offload and queues, as Linux's netfront: it writes {@code feature-gso-tcpv4}, {@code feature-gso-tcpv6} and
 * {@code feature-ipv6-csum-offload} (those of {@link #offloadFeatures(int)}; {@code feature-no-csum-offload} only
 * when checksum offload is refused) and reads the backend's into each {@link NetFront#backendFeatures(int)}. With
 * several {@link NetFront}s it uses min(queues, backend's {@code multi-queue-max-queues}) queue pairs (a backend
 * without the key gets one); {@code multi-queue-num-queues} is written whenever the backend has the key; one queue
 * keeps the flat keys, more use {@code queue-N/}. Queues beyond the count stay closed.
 * <p>
 * Setup-time object: one thread calls {@link #reset()}, {@link #open()} and {@link #close()}, while the data path
 * roles of {@link #front()} are idle.
 */
public final class XenbusNetFront implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(XenbusNetFront.class.getName());

    private final XenStore store;
    private final String frontendPath;
    private final NetFront front;
    private final List<NetFront> queues;
    private int offered = OffloadFeatures.ALL;
    private int queueCount;
    private final EventChannelRegistry registry;
    private final Duration timeout;
    private final XenbusStateListener listener;
    private final XenbusStateNode frontState;
    private final XenbusStateNode backState;
    private final XenbusStateWaiter waiter;
    private final String backendPath;
    private final int backendDomid;
    private final byte[] mac;
    private final Deque<Step> undo = new ArrayDeque<>(); // open's finished steps, the latest first
    private final List<String> decisions = new ArrayList<>();
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
     * @param registry     where the event channel ends are offered to the backend.
     * @param timeout      how long each wait for the backend lasts ({@link XenbusStateWaiter#DEFAULT_TIMEOUT}).
     * @param listener     told of every state this end writes.
     * @throws XenbusException when a key is missing or malformed.
     */
    public XenbusNetFront(
        final XenStore store,
        final String frontendPath,
        final NetFront front,
        final EventChannelRegistry registry,
        final Duration timeout,
        final XenbusStateListener listener)
    {
        this(store, frontendPath, List.of(front), registry, timeout, listener);
    }

    /**
     * A multi-queue frontend: asks for up to {@code queues.size()} queue pairs; queue i is {@code queues.get(i)}
     * (each with its own ring pages and event channel ports).
     *
     * @param store        the xenstore.
     * @param frontendPath the device directory.
     * @param queues       one data path per queue pair (at least one).
     * @param registry     where the event channel ends are offered to the backend.
     * @param timeout      how long each wait for the backend lasts.
     * @param listener     told of every state this end writes.
     * @throws XenbusException when a key is missing or malformed.
     */
    public XenbusNetFront(
        final XenStore store,
        final String frontendPath,
        final List<NetFront> queues,
        final EventChannelRegistry registry,
        final Duration timeout,
        final XenbusStateListener listener)
    {
        if (queues.isEmpty())
        {
            throw new IllegalArgumentException("netfront needs at least one queue: path=" + frontendPath);
        }
        final NetFront front = queues.get(0);
        this.queues = List.copyOf(queues);
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
        final boolean split = !front.config().singleEventChannel() &&
            backendFlag(VifKeys.FEATURE_SPLIT_EVENT_CHANNELS);
        final boolean sg = backendFlag(VifKeys.FEATURE_SG);
        final Optional<String> maxQueues = store.readIfExists(XenStore.NO_TRANSACTION,
            backendPath + "/" + VifKeys.MULTI_QUEUE_MAX_QUEUES);
        final long offeredQueues = maxQueues.map(VifKeys::parseU32).orElse(1L);
        queueCount = (int)Math.max(1, Math.min(offeredQueues, queues.size())); // Linux: min(max, own); old: 1
        final int backendFeatures = OffloadFeatures.fromKeys(name ->
            store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + name).orElse(null));
        decisions.clear();
        decide(split ? "event channels: split (backend offers feature-split-event-channels)" :
            front.config().singleEventChannel() ? "event channels: one (event-channel), forced by configuration" :
            "event channels: one (event-channel), backend lacks feature-split-event-channels");
        decide(sg ? "feature-sg: multi-slot tx packets" :
            "backend lacks feature-sg: tx packets limited to one slot (others refused NO_SCATTER_GATHER)");
        decide("backend offload " + OffloadFeatures.toString(backendFeatures) +
            ": GSO types and IPv6 blank checksums it lacks are done in software by offer");
        decide("queues: " + queueCount + " (own " + queues.size() + ", backend " +
            maxQueues.map(v -> "offers " + v).orElse("has no multi-queue-max-queues") + ")");
        try
        {
            if (maxQueues.isPresent())
            {
                writeKey(VifKeys.MULTI_QUEUE_NUM_QUEUES, Integer.toString(queueCount));
            }
            for (int q = 0; q < queueCount; q++)
            {
                queues.get(q).backendFeatures(backendFeatures);
                queues.get(q).backendScatterGather(sg);
                createRings(q, split);
            }
            writeFlag(VifKeys.REQUEST_RX_COPY);
            writeFlag(VifKeys.FEATURE_SG);
            if ((offered & OffloadFeatures.NO_CSUM) != 0)
            {
                writeFlag(VifKeys.FEATURE_NO_CSUM_OFFLOAD);
            }
            writeFlag(VifKeys.FEATURE_RX_NOTIFY);
            if ((offered & OffloadFeatures.GSO_TCPV4) != 0)
            {
                writeFlag(VifKeys.FEATURE_GSO_TCPV4);
            }
            if ((offered & OffloadFeatures.GSO_TCPV6) != 0)
            {
                writeFlag(VifKeys.FEATURE_GSO_TCPV6);
            }
            if ((offered & OffloadFeatures.IPV6_CSUM) != 0)
            {
                writeFlag(VifKeys.FEATURE_IPV6_CSUM_OFFLOAD);
            }
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

    /** Allocates a queue's event channel ends, opens its rings with them, publishes refs and ports. */
    private void createRings(final int q, final boolean split)
    {
        final NetFront queue = queues.get(q);
        final int domid = queue.config().frontendDomid();
        final EventChannel tx = registry.allocUnbound(domid);
        undo.push(new Step("close tx event", () -> registry.close(domid, tx)));
        final EventChannel rx = split ? registry.allocUnbound(domid) : tx;
        if (split)
        {
            undo.push(new Step("close rx event", () -> registry.close(domid, rx)));
        }
        final int rc = queue.open(tx, rx);
        if (rc != NetFrontResult.OK)
        {
            throw new XenbusException("netfront open failed: path=" + frontendPath + ", queue=" + q + ", result=" +
                NetFrontResult.resultString(rc));
        }
        undo.push(new Step("close rings", queue::close));
        writeKey(VifKeys.queueKey(queueCount, q, VifKeys.TX_RING_REF), Integer.toString(queue.txRingRef()));
        writeKey(VifKeys.queueKey(queueCount, q, VifKeys.RX_RING_REF), Integer.toString(queue.rxRingRef()));
        final String txKey = VifKeys.queueKey(queueCount, q, VifKeys.EVENT_CHANNEL_TX);
        final String rxKey = VifKeys.queueKey(queueCount, q, VifKeys.EVENT_CHANNEL_RX);
        final String oneKey = VifKeys.queueKey(queueCount, q, VifKeys.EVENT_CHANNEL);
        if (split)
        {
            rmIfPresent(oneKey); // a previous instance's other form must not mislead the backend
            writeKey(txKey, Integer.toString(tx.port()));
            writeKey(rxKey, Integer.toString(rx.port()));
        }
        else
        {
            rmIfPresent(txKey);
            rmIfPresent(rxKey);
            writeKey(oneKey, Integer.toString(tx.port()));
        }
    }

    private void rmIfPresent(final String name)
    {
        if (store.readIfExists(XenStore.NO_TRANSACTION, key(name)).isPresent())
        {
            store.rm(key(name));
        }
    }

    private void decide(final String decision)
    {
        decisions.add(decision);
        LOG.log(System.Logger.Level.INFO, "netfront " + frontendPath + ": " + decision);
    }

    private boolean backendFlag(final String name)
    {
        return VifKeys.ON.equals(store.readIfExists(XenStore.NO_TRANSACTION, backendPath + "/" + name).orElse(null));
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
        for (int q = queues.size() - 1; q >= 0; q--)
        {
            final NetFront queue = queues.get(q);
            if (queue.state() != NetFront.State.CLOSED)
            {
                registry.close(queue.config().frontendDomid(), queue.rxEvent());
                registry.close(queue.config().frontendDomid(), queue.txEvent());
                queue.close();
            }
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

    /**
     * Sets the offload features written at {@link #open()} (default {@link OffloadFeatures#ALL}, as Linux's
     * netfront; add {@link OffloadFeatures#NO_CSUM} to refuse blank checksums).
     *
     * @param features an {@link OffloadFeatures} bit set.
     * @return this.
     */
    public XenbusNetFront offloadFeatures(final int features)
    {
        offered = features;
        return this;
    }

    /** @return the decisions of the last {@link #open()} on the backend's optional features (a copy). */
    public List<String> decisions()
    {
        return List.copyOf(decisions);
    }

    /** @return every queue's data path (index = queue number). */
    public List<NetFront> queues()
    {
        return queues;
    }

    /** @return queue pairs in use since the last {@link #open()} (min of own queues and the backend's maximum). */
    public int queueCount()
    {
        return queueCount;
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
