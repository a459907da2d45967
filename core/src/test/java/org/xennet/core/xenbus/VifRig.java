package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.xennet.core.device.GuestDomain;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.xenstore.XenStore;

/**
 * One vif over a given store: a small guest (32 rx buffers, 16 tx ids, app pages after), its NetFront, a NetBack
 * in domain 0, the toolstack's directories, and the xenbus ends (the backend not started). Records every state
 * write of both ends.
 */
final class VifRig implements AutoCloseable
{
    static final int BACKEND_DOMID = 0;
    static final int RX_BUFFERS = 32;
    static final int IDS = 16;
    static final int APP_FIRST_PAGE = RX_BUFFERS;
    static final int PAGE_COUNT = 64;
    static final String MAC = "00:16:3e:12:34:56";

    final XenStore store;
    final GuestDomain guest;
    final NetFront front;
    final NetBack back;
    final EventChannelRegistry registry = new EventChannelRegistry();
    final VifToolstack.Vif vif;
    final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    final XenbusStateListener listener = (path, from, to) ->
        transitions.add((path.contains("/backend/") ? "back " : "front ") + from.xenName() + "->" + to.xenName());
    final Duration timeout;
    XenbusNetBack xenbusBack;

    VifRig(final XenStore store, final int frontDomid, final PacketSink sink, final Duration timeout)
    {
        this(store, frontDomid, sink, timeout, 1);
    }

    VifRig(final XenStore store, final int frontDomid, final PacketSink sink, final Duration timeout,
        final int grantVersion)
    {
        this.store = store;
        this.timeout = timeout;
        guest = GuestDomain.create(
            frontDomid, grantVersion, 2 + 2 * IDS + 2 * RX_BUFFERS, PAGE_COUNT, 0x10_0000, 2, 0x1000);
        final NetFrontConfig config = new NetFrontConfig()
            .frontendDomid(frontDomid)
            .backendDomid(BACKEND_DOMID)
            .txIds(IDS)
            .rxIds(RX_BUFFERS)
            .rxBufferFirstPage(0)
            .rxBufferCount(RX_BUFFERS)
            .txBufferFirstPage(RX_BUFFERS)
            .txBufferCount(0);
        front = new NetFront(config, guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        back = new NetBack(BACKEND_DOMID, guest.grantTable(), guest.memory(), sink);
        vif = VifToolstack.create(store, BACKEND_DOMID, frontDomid, 0, MAC);
    }

    XenbusNetBack backend(final XenbusNetBack.Behaviour behaviour)
    {
        xenbusBack = new XenbusNetBack(
            store, vif.backendPath(), back, guest.ringMemory(), registry, behaviour, listener);
        return xenbusBack;
    }

    XenbusNetFront frontend()
    {
        return new XenbusNetFront(store, vif.frontendPath(), front, registry, timeout, listener);
    }

    void writeFrontendState(final XenbusState state)
    {
        store.write(vif.frontendPath() + "/state", state.text());
    }

    void writeBackendState(final XenbusState state)
    {
        store.write(vif.backendPath() + "/state", state.text());
    }

    XenbusState backendState()
    {
        return new XenbusStateNode(store, vif.backendPath()).read();
    }

    @Override
    public void close()
    {
        if (xenbusBack != null)
        {
            xenbusBack.close();
        }
    }
}
