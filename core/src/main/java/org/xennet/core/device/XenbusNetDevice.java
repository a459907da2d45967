package org.xennet.core.device;

import java.time.Duration;

import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.core.xenbus.VifToolstack;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.xenstore.XenStore;

/**
 * A {@link NetDevice} plugged in through xenstore instead of wired directly: the toolstack creates the vif's
 * directories, its backend driver ({@link XenbusNetBack}) starts, and the frontend ({@link XenbusNetFront})
 * opens and closes with the xenbus handshake. Use {@link #open()} / {@link #close()} in place of
 * {@link NetDevice#open()} / {@link NetDevice#close()}; {@link #unplug()} stops the backend driver and removes
 * the directories.
 */
public final class XenbusNetDevice implements AutoCloseable
{
    private final XenStore store;
    private final NetDevice device;
    private final VifToolstack.Vif vif;
    private final XenbusNetBack backend;
    private final XenbusNetFront frontend;

    /**
     * Plugs the device in: creates the directories, starts the backend driver (to InitWait) and probes the
     * frontend.
     *
     * @param store     the xenstore.
     * @param device    the frontend and backend to connect (not opened).
     * @param devid     the vif's device id.
     * @param mac       its MAC address, {@code aa:bb:cc:dd:ee:ff}.
     * @param registry  the hypervisor's event channel table shared by both ends.
     * @param behaviour the backend's reset behaviour.
     * @param timeout   how long each wait for the backend lasts.
     * @param listener  told of every state either end writes.
     */
    public XenbusNetDevice(
        final XenStore store,
        final NetDevice device,
        final int devid,
        final String mac,
        final EventChannelRegistry registry,
        final XenbusNetBack.Behaviour behaviour,
        final Duration timeout,
        final XenbusStateListener listener)
    {
        this.store = store;
        this.device = device;
        final GuestDomain guest = device.guest();
        this.vif = VifToolstack.create(store, device.front().config().backendDomid(), guest.domid(), devid, mac);
        this.backend = new XenbusNetBack(
            store, vif.backendPath(), device.back(), guest.ringMemory(), registry, behaviour, listener);
        backend.start();
        this.frontend = new XenbusNetFront(store, vif.frontendPath(), device.front(), registry, timeout, listener);
    }

    /**
     * Opens the frontend through the handshake; the backend connects when it sees Connected.
     *
     * @throws org.xennet.core.xenbus.XenbusTimeoutException or {@link org.xennet.core.xenbus.XenbusException} as
     *     {@link XenbusNetFront#open()}, with everything undone.
     */
    public void open()
    {
        frontend.open();
    }

    /**
     * Closes the frontend through the handshake (the backend disconnects when it sees Closed). Idempotent.
     */
    @Override
    public void close()
    {
        frontend.close();
    }

    /**
     * Closes, stops the backend driver and removes the vif's directories (the toolstack's unplug).
     */
    public void unplug()
    {
        close();
        backend.close();
        VifToolstack.destroy(store, vif);
    }

    /** @return the wired device (its data path). */
    public NetDevice device()
    {
        return device;
    }

    /** @return the vif's directories. */
    public VifToolstack.Vif vif()
    {
        return vif;
    }

    /** @return the xenbus frontend. */
    public XenbusNetFront frontend()
    {
        return frontend;
    }

    /** @return the backend driver. */
    public XenbusNetBack backend()
    {
        return backend;
    }
}
