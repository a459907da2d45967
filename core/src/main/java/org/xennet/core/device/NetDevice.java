package org.xennet.core.device;

import org.xennet.core.event.LocalEventChannel;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;

/**
 * One vif wired in-process: a {@link NetFront} in a guest domain and its {@link NetBack} in the backend domain.
 * {@link #open()} runs the frontend's open steps, then connects the backend to the published ring refs and event
 * channels (what xenbus would carry through xenstore); {@link #close()} mirrors it.
 */
public final class NetDevice implements AutoCloseable
{
    private final GuestDomain guest;
    private final NetFront front;
    private final NetBack back;

    /**
     * Wires a frontend and a backend (nothing is opened yet).
     *
     * @param guest        the frontend's domain.
     * @param config       frontend configuration (its backendDomid names the backend domain); copied, never changed:
     *                     the frontend's domid is the guest's.
     * @param sink         where the backend sends transmitted packets.
     */
    public NetDevice(final GuestDomain guest, final NetFrontConfig config, final PacketSink sink)
    {
        this.guest = guest;
        this.front = new NetFront(
            new NetFrontConfig(config).frontendDomid(guest.domid()),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        this.back = new NetBack(config.backendDomid(), guest.grantTable(), guest.memory(), sink);
    }

    /**
     * Opens the frontend, then connects the backend; on failure undoes in reverse.
     *
     * @return {@link NetFrontResult#OK}, a negative {@link NetFrontResult} from the frontend, or
     *         {@link NetFrontResult#NOT_CONNECTED} when the backend refused the rings.
     */
    public int open()
    {
        final NetFrontConfig frontConfig = front.config();
        final LocalEventChannel[] tx = LocalEventChannel.pair(frontConfig.txEventPort(), frontConfig.txEventPort());
        final LocalEventChannel[] rx = LocalEventChannel.pair(frontConfig.rxEventPort(), frontConfig.rxEventPort());
        final int rc = front.open(tx[0], rx[0]);
        if (rc != NetFrontResult.OK)
        {
            tx[0].close();
            rx[0].close();
            return rc;
        }
        final int connected = back.connect(
            guest.domid(), front.txRingRef(), front.rxRingRef(), guest.ringMemory(), tx[1], rx[1]);
        if (connected != 0)
        {
            front.close();
            return NetFrontResult.NOT_CONNECTED;
        }
        return NetFrontResult.OK;
    }

    /**
     * Disconnects the backend, then closes the frontend (the reverse of {@link #open()}).
     */
    @Override
    public void close()
    {
        back.disconnect();
        front.close();
    }

    /** @return the frontend. */
    public NetFront front()
    {
        return front;
    }

    /** @return the backend. */
    public NetBack back()
    {
        return back;
    }

    /** @return the frontend's domain. */
    public GuestDomain guest()
    {
        return guest;
    }
}
