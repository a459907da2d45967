package org.xennet.core.shm;

import org.xennet.core.event.EventChannel;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.xenbus.VifKeys;
import org.xennet.core.xenbus.VifToolstack;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.xenstore.PolledWatchXenStore;
import org.xennet.xenstore.XenStore;

/**
 * A netback serving a {@link ShmDeviceFile} whose control plane is a xenstore (the xenbus handshake of
 * {@link XenbusNetBack}) rather than the file's state words: a duty-cycle agent ({@link #doWork()}).
 * <p>
 * Toolstack: this end plays dom0, so it creates the vif's directories ({@link VifToolstack#create}) when the
 * backend directory does not exist yet; a restarted backend finds them and reuses them. A {@code state} node left at
 * {@code Connected} (or Reconfiguring/Reconfigured) by a backend that died vouches for rings this process never
 * mapped: it is switched to {@code Closing} with an {@code error} node before the driver starts, so a frontend
 * watching it resets at once (even with nothing in flight) and {@link XenbusNetBack} never maps rings that hold a
 * previous backend's progress: it waits for the frontend's reset (Closed, Initialising) as usual.
 * <p>
 * Events: this process's {@link EventChannelRegistry} holds two relay ends registered under the frontend's domid at
 * the frontend's ports ({@link NetFrontConfig} defaults 1 and 2, which the frontend publishes in
 * {@code event-channel-tx/rx}); {@link XenbusNetBack} binds the {@link NetBack} to them, and their notifications
 * are forwarded to the file's to-frontend word. Watch events run on the duty-cycle thread
 * ({@link PolledWatchXenStore}), so the state machine never races the data path. Single-threaded.
 */
public final class ShmXenbusBackend implements AutoCloseable
{
    /** MAC address the toolstack step gives the vif when none is chosen. */
    public static final String DEFAULT_MAC = "00:16:3e:00:00:01";

    private static final int POLL_LIMIT = 64;

    private final ShmDeviceFile file;
    private final XenStore store;
    private final PolledWatchXenStore polled;
    private final NetBack back;
    private final XenbusNetBack xenbus;
    private final EventChannelRegistry registry = new EventChannelRegistry();
    private final EventChannel relayTx;
    private final EventChannel relayRx;
    private final String backendPath;
    private final boolean createdVif;
    private long faults;

    /**
     * Creates the vif if needed, registers the relay ends and starts the backend driver.
     *
     * @param file      the attached device file.
     * @param sink      where transmitted packets go; {@code null} for loopback (echo into the frontend's rx).
     * @param store     the xenstore (closed by {@link #close()} only through the caller).
     * @param devid     the vif's device id.
     * @param mac       the MAC address used when creating the vif.
     * @param behaviour modern or legacy reset handling.
     * @param listener  told of every state the backend writes.
     */
    public ShmXenbusBackend(
        final ShmDeviceFile file,
        final PacketSink sink,
        final XenStore store,
        final int devid,
        final String mac,
        final XenbusNetBack.Behaviour behaviour,
        final XenbusStateListener listener)
    {
        this.file = file;
        this.store = store;
        this.polled = new PolledWatchXenStore(store);
        final int frontendDomid = file.frontendDomid();
        this.backendPath = VifKeys.backendPath(file.backendDomid(), frontendDomid, devid);
        this.createdVif = !store.exists(backendPath);
        if (createdVif)
        {
            VifToolstack.create(store, file.backendDomid(), frontendDomid, devid, mac);
        }
        else
        {
            retireStaleState(listener);
        }
        final NetFrontConfig ports = new NetFrontConfig();
        this.relayTx = new EventChannel(ports.txEventPort());
        this.relayRx = new EventChannel(ports.rxEventPort());
        registry.register(frontendDomid, relayTx);
        registry.register(frontendDomid, relayRx);
        final NetBack[] self = new NetBack[1];
        // loopback: rx responses are pushed once per backend step (flushRx after pollTx), not per packet
        final PacketSink target = null != sink ? sink :
            (buffer, offset, length) -> self[0].deliver(buffer, offset, length, true);
        this.back = new NetBack(file.backendDomid(), file.grantTable(), file.guestMemory(), target);
        self[0] = back;
        file.backendPid(ProcessHandle.current().pid());
        this.xenbus = new XenbusNetBack(polled, backendPath, back, file.ringMemory(), registry, behaviour, listener);
        xenbus.start();
        polled.runWatches(); // the watch's first event: act on the frontend's current state now
    }

    private void retireStaleState(final XenbusStateListener listener)
    {
        final String statePath = backendPath + "/" + VifKeys.STATE;
        final XenbusState left;
        try
        {
            left = XenbusState.parse(store.readIfExists(XenStore.NO_TRANSACTION, statePath).orElse("0"));
        }
        catch (final IllegalArgumentException ex)
        {
            return; // not a state: XenbusNetBack treats it as Unknown and probes afresh
        }
        if (left == XenbusState.CONNECTED || left == XenbusState.RECONFIGURING || left == XenbusState.RECONFIGURED)
        {
            store.write(backendPath + "/" + VifKeys.ERROR,
                "netback restarted: state " + left + " was left by a previous instance whose rings are not mapped");
            listener.onSwitchState(backendPath, left, XenbusState.CLOSING); // before the write, as XenbusNetBack
            store.write(statePath, XenbusState.CLOSING.text());
        }
    }

    /**
     * One duty cycle: runs pending watch events (the state machine), polls the tx ring, forwards notifications.
     *
     * @return work done (packets and watch events), 0 when idle.
     */
    public int doWork()
    {
        int work = polled.runWatches();
        if (back.state() == NetBack.State.CONNECTED)
        {
            final int polledTx = back.pollTx(POLL_LIMIT);
            back.flushRx(); // loopback: one rx push per backend step
            if (polledTx == NetBack.FAULTED)
            {
                onFault();
            }
            else
            {
                work += polledTx;
            }
        }
        if (relayTx.consume() | relayRx.consume())
        {
            file.toFrontend().notifyPeer();
        }
        if (work == 0)
        {
            file.toBackend().consume();
        }
        return work;
    }

    /** A misbehaving frontend: as {@code xenbus_dev_fatal}, say why and close; its reset brings us back. */
    private void onFault()
    {
        faults++;
        final String reason = "netback: frontend faulted: " + back.fault();
        System.err.println("backend: " + reason + ", waiting for a reset");
        back.disconnect();
        store.write(backendPath + "/" + VifKeys.ERROR, reason);
        store.write(backendPath + "/" + VifKeys.STATE, XenbusState.CLOSING.text());
    }

    /**
     * Detaches cleanly: stops the driver, unmaps, then {@code Closing} and {@code Closed} in xenstore so the
     * frontend resets at once instead of waiting for its response deadline.
     */
    @Override
    public void close()
    {
        xenbus.close();
        store.write(backendPath + "/" + VifKeys.STATE, XenbusState.CLOSING.text());
        store.write(backendPath + "/" + VifKeys.STATE, XenbusState.CLOSED.text());
        registry.unregister(file.frontendDomid(), relayRx);
        registry.unregister(file.frontendDomid(), relayTx);
        file.toFrontend().notifyPeer();
    }

    /** @return the netback (counters, state). */
    public NetBack netBack()
    {
        return back;
    }

    /** @return the backend driver (state, connects, observations). */
    public XenbusNetBack xenbus()
    {
        return xenbus;
    }

    /** @return the backend directory. */
    public String backendPath()
    {
        return backendPath;
    }

    /** @return whether this process made the vif's directories (false: it found them, e.g. after a restart). */
    public boolean createdVif()
    {
        return createdVif;
    }

    /** @return how many times the rings were mapped. */
    public long connects()
    {
        return xenbus.connects();
    }

    /** @return frontend faults. */
    public long faults()
    {
        return faults;
    }
}
