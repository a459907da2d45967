package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xennet.core.event.EventChannel;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netback.XenbusNetBack.Behaviour;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.xenstore.XenStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The netfronts that exist, as the key sets they write (learnt from iPXE's and Linux's netfront), against xennet's
 * backend in both behaviours, through a real xenstore (embedded, and the xs_wire server), in grant v1 and v2, from
 * a clean start and after an unclean reboot (state left Connected, the previous instance's keys and grants left):
 * each connects and moves packets both ways, byte-checked. xennet's own {@link XenbusNetFront} plays the frontend
 * against the XenServer 6.2 era backend (LEGACY: no split channels, no feature-rx-notify demanded, Initialising
 * ignored until Closed). A frontend that connects on stale keys it did not write never connects.
 */
class XenbusPeersTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30); // bounds a hang only; awaits return on the event
    private static final int[] SIZES = {60, 1514, 5000};

    /** A frontend driver, as the keys it writes. */
    enum Peer
    {
        /** iPXE as of 2014: one event-channel, only request-rx-copy (no feature-rx-notify, no feature-sg). */
        IPXE_2014(false, false, Map.of("request-rx-copy", "1")),
        /** Current iPXE: one event-channel and its four flags. */
        IPXE(false, false, flags("request-rx-copy", "feature-sg", "feature-no-csum-offload", "feature-rx-notify")),
        /** Linux xen-netfront (one queue): split channels when offered, and its offload flags. */
        LINUX(true, false, flags("request-rx-copy", "feature-rx-notify", "feature-sg", "feature-gso-tcpv4",
            "feature-gso-tcpv6", "feature-ipv6-csum-offload")),
        /** xennet's own {@link XenbusNetFront}. */
        XENNET(true, true, Map.of());

        final boolean splitWhenOffered;
        final boolean xennet;
        final Map<String, String> flags;

        Peer(final boolean splitWhenOffered, final boolean xennet, final Map<String, String> flags)
        {
            this.splitWhenOffered = splitWhenOffered;
            this.xennet = xennet;
            this.flags = flags;
        }

        boolean scatterGather()
        {
            return xennet || "1".equals(flags.get("feature-sg"));
        }

        private static Map<String, String> flags(final String... names)
        {
            final Map<String, String> map = new LinkedHashMap<>();
            for (final String name : names)
            {
                map.put(name, "1");
            }
            return map;
        }
    }

    /** How the frontend found the device. */
    enum Start
    {
        CLEAN,
        UNCLEAN_REBOOT
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void shouldConnectEveryPeerAndMovePacketsBothWaysInEveryCase(final StoreKind kind) throws Exception
    {
        final List<String> failures = new ArrayList<>();
        int domid = 1;
        try (StoreKind.Handle handle = kind.open())
        {
            for (final int grantVersion : new int[]{1, 2})
            {
                for (final Behaviour behaviour : Behaviour.values())
                {
                    for (final Peer peer : Peer.values())
                    {
                        for (final Start start : Start.values())
                        {
                            final String name = "v" + grantVersion + " " + behaviour + " " + peer + " " + start;
                            try
                            {
                                runCase(handle.store, domid++, grantVersion, behaviour, peer, start);
                            }
                            catch (final AssertionError | RuntimeException ex)
                            {
                                failures.add(name + ": " + ex);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), failures, "peers that did not connect or exchange (" + kind + ")");
    }

    private static void runCase(
        final XenStore store, final int domid, final int grantVersion, final Behaviour behaviour, final Peer peer,
        final Start start)
    {
        final Capture sink = new Capture();
        try (VifRig rig = new VifRig(store, domid, sink, TIMEOUT, grantVersion))
        {
            final XenbusNetBack backend = rig.backend(behaviour);
            backend.start();
            assertEquals(behaviour == Behaviour.MODERN ? "1" : null,
                store.readIfExists(XenStore.NO_TRANSACTION, rig.vif.backendPath() + "/feature-split-event-channels")
                    .orElse(null), "split channels offered");
            assertEquals(XenbusState.CONNECTED, open(rig, peer), () -> "connect: " + backend.lastError());
            checkNegotiation(rig, backend, behaviour, peer);
            exchange(rig, sink, peer);
            if (start == Start.UNCLEAN_REBOOT)
            {
                // a packet in flight, rx buffers posted, state left Connected, keys and grants left: reboot
                assertTrue(rig.front.transmit(appOffset(0), 100) > 0);
                assertEquals(XenbusState.CONNECTED, open(rig, peer), () -> "reconnect: " + backend.lastError());
                assertEquals(2, backend.connects());
                checkNegotiation(rig, backend, behaviour, peer);
                exchange(rig, sink, peer);
            }
        }
    }

    /**
     * Opens the device as the peer does: xennet's {@link XenbusNetFront}, or the peer's key set with iPXE's reset
     * (through Closed unless the backend is in InitWait). After an unclean reboot the previous instance's rings
     * are freed once the backend has let go of them (the guest's memory is reused).
     */
    private static XenbusState open(final VifRig rig, final Peer peer)
    {
        if (peer.xennet)
        {
            rig.frontend().open();
            return rig.backendState();
        }
        final XenStore store = rig.store;
        final String fe = rig.vif.frontendPath();
        final String be = rig.vif.backendPath();
        final XenbusStateNode frontState = new XenbusStateNode(store, fe);
        final XenbusStateNode backState = new XenbusStateNode(store, be);
        if (backState.read() != XenbusState.INIT_WAIT)
        {
            frontState.write(XenbusState.CLOSED);
            backState.await(XenbusState.CLOSED, TIMEOUT);
        }
        frontState.write(XenbusState.INITIALISING);
        backState.await(XenbusState.INIT_WAIT, TIMEOUT);
        final NetFront front = rig.front;
        final int domid = front.config().frontendDomid();
        if (front.state() != NetFront.State.CLOSED)
        {
            front.close(); // closes its ports too
        }
        final boolean split = peer.splitWhenOffered &&
            "1".equals(store.readIfExists(XenStore.NO_TRANSACTION, be + "/feature-split-event-channels").orElse(null));
        final EventChannel tx = rig.registry.allocUnbound(domid, front.config().backendDomid());
        final EventChannel rx = split ? rig.registry.allocUnbound(domid, front.config().backendDomid()) : tx;
        assertEquals(NetFrontResult.OK, front.open(tx, rx));
        store.write(fe + "/tx-ring-ref", Integer.toString(front.txRingRef()));
        store.write(fe + "/rx-ring-ref", Integer.toString(front.rxRingRef()));
        if (split)
        {
            store.write(fe + "/event-channel-tx", Integer.toString(tx.port()));
            store.write(fe + "/event-channel-rx", Integer.toString(rx.port()));
        }
        else
        {
            store.write(fe + "/event-channel", Integer.toString(tx.port()));
        }
        peer.flags.forEach((name, value) -> store.write(fe + "/" + name, value));
        frontState.write(XenbusState.CONNECTED);
        return new XenbusStateWaiter(store).await(backState.path(),
            EnumSet.of(XenbusState.CONNECTED, XenbusState.CLOSING, XenbusState.CLOSED), TIMEOUT);
    }

    private static void checkNegotiation(
        final VifRig rig, final XenbusNetBack backend, final Behaviour behaviour, final Peer peer)
    {
        final boolean split = peer.splitWhenOffered && behaviour == Behaviour.MODERN;
        assertEquals(split, rig.back.txEvent() != rig.back.rxEvent(), "split event channels");
        assertEquals(peer.scatterGather(), rig.back.frontendFeatures().scatterGather(), "feature-sg");
        final boolean rxNotify = peer.xennet || "1".equals(peer.flags.get("feature-rx-notify"));
        assertEquals(!rxNotify, rig.back.rxRequestPolling(), "rx request polling");
        assertTrue(backend.decisions().stream().anyMatch(d -> d.startsWith(
            rxNotify ? "feature-rx-notify:" : "feature-rx-notify absent: polling")), backend.decisions().toString());
    }

    /** Packets both ways, byte-checked; a multi-slot rx packet to a frontend without feature-sg is dropped, counted. */
    private static void exchange(final VifRig rig, final Capture sink, final Peer peer)
    {
        final NetFront front = rig.front;
        final NetBack back = rig.back;
        assertTrue(front.refillRx() > 0 || front.rxPoolAvailable() == 0);
        final MutableDirectBuffer memory = rig.guest.memory().buffer();
        final ExpandableArrayBuffer packet = new ExpandableArrayBuffer(8192);
        for (int i = 0; i < SIZES.length; i++)
        {
            final int length = SIZES[i];
            for (int b = 0; b < length; b++)
            {
                memory.putByte(appOffset(1) + b, (byte)(i * 31 + b));
                packet.putByte(b, (byte)(i * 7 + b));
            }
            sink.packets.clear();
            assertTrue(front.transmit(appOffset(1), length) > 0, "transmit " + length);
            assertEquals(1, back.pollTx(16));
            assertEquals(1, sink.packets.size());
            final byte[] sent = new byte[length];
            memory.getBytes(appOffset(1), sent);
            assertTrue(java.util.Arrays.equals(sent, sink.packets.get(0)), "tx bytes " + length);
            final int[] status = {Integer.MIN_VALUE};
            while (front.pollTx((offset, len, st) -> status[0] = st, 16) == 0 && status[0] == Integer.MIN_VALUE)
            {
                Thread.onSpinWait();
            }
            assertEquals(NetifResponseStatus.OKAY, status[0]);

            final long droppedNoSg = back.rxDroppedNoSg();
            final int rc = back.deliver(packet, 0, length, PacketSink.DATA_VALIDATED);
            if (length > 4096 && !peer.scatterGather())
            {
                assertEquals(PacketSink.DROPPED, rc, "multi-slot rx to a frontend without feature-sg");
                assertEquals(droppedNoSg + 1, back.rxDroppedNoSg());
                continue;
            }
            assertEquals(PacketSink.ACCEPTED, rc, "deliver " + length);
            final List<byte[]> received = new ArrayList<>();
            final int[] flags = {-1};
            assertEquals(1, front.pollRx(new org.xennet.core.netfront.RxPacketHandler()
            {
                @Override
                public void onPacket(final DirectBuffer buffer, final int offset, final int len)
                {
                    throw new AssertionError("flags not passed");
                }

                @Override
                public void onPacket(final DirectBuffer buffer, final int offset, final int len, final int f)
                {
                    received.add(copy(buffer, offset, len));
                    flags[0] = f;
                }
            }, 32));
            final byte[] expected = new byte[length];
            packet.getBytes(0, expected);
            assertTrue(java.util.Arrays.equals(expected, received.get(0)), "rx bytes " + length);
            assertEquals(NetifRxFlags.DATA_VALIDATED, flags[0], "NETRXF_data_validated");
            front.refillRx();
        }
    }

    @ParameterizedTest
    @EnumSource(Behaviour.class)
    void shouldNeverConnectAFrontendOnStaleKeysItDidNotWrite(final Behaviour behaviour) throws Exception
    {
        for (final Peer previous : Peer.values())
        {
            try (StoreKind.Handle handle = StoreKind.EMBEDDED.open();
                VifRig rig = new VifRig(handle.store, 5, new Capture(), TIMEOUT))
            {
                final XenbusNetBack backend = rig.backend(behaviour);
                backend.start();
                assertEquals(XenbusState.CONNECTED, open(rig, previous), previous.toString());
                // The previous instance dies (keys, grants and state left); a new driver resets and goes Connected
                // without writing keys of its own.
                final XenbusStateNode frontState = new XenbusStateNode(rig.store, rig.vif.frontendPath());
                final XenbusStateNode backState = new XenbusStateNode(rig.store, rig.vif.backendPath());
                frontState.write(XenbusState.CLOSED);
                backState.await(XenbusState.CLOSED, TIMEOUT);
                frontState.write(XenbusState.INITIALISING);
                backState.await(XenbusState.INIT_WAIT, TIMEOUT);
                frontState.write(XenbusState.CONNECTED);
                assertEquals(XenbusState.CLOSED, new XenbusStateWaiter(rig.store).await(backState.path(),
                    EnumSet.of(XenbusState.CONNECTED, XenbusState.CLOSED), TIMEOUT), previous.toString());
                assertEquals(1, backend.connects(), previous.toString());
                assertEquals(NetBack.State.CLOSED, rig.back.state());
                assertTrue(backend.lastError().contains("bad or missing event channel"), backend.lastError());
                assertTrue(rig.store.read(rig.vif.backendPath() + "/error").contains("no unbound port"),
                    rig.store.read(rig.vif.backendPath() + "/error"));
            }
        }
    }

    @Test
    void shouldLetALegacyBackendIgnoreInitialisingUntilTakenThroughClosed() throws Exception
    {
        try (StoreKind.Handle handle = StoreKind.EMBEDDED.open();
            VifRig rig = new VifRig(handle.store, 6, new Capture(), TIMEOUT))
        {
            final XenbusNetBack backend = rig.backend(Behaviour.LEGACY);
            backend.start();
            assertEquals(XenbusState.CONNECTED, open(rig, Peer.IPXE_2014));
            // a frontend that skips the pass through Closed (Linux without reset) gets nowhere with this backend
            new XenbusStateNode(rig.store, rig.vif.frontendPath()).write(XenbusState.INITIALISING);
            final XenbusTimeoutException ex = org.junit.jupiter.api.Assertions.assertThrows(
                XenbusTimeoutException.class, () -> new XenbusStateNode(rig.store, rig.vif.backendPath())
                    .await(XenbusState.INIT_WAIT, Duration.ofMillis(200)));
            assertEquals(XenbusState.CONNECTED, ex.lastSeen());
            // ... while iPXE's reset does
            assertEquals(XenbusState.CONNECTED, open(rig, Peer.IPXE_2014));
            assertEquals(2, backend.connects());
        }
    }

    private static int appOffset(final int page)
    {
        return (VifRig.APP_FIRST_PAGE + page * 3) * 4096;
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /** Keeps a copy of every packet the backend hands over. */
    private static final class Capture implements PacketSink
    {
        final List<byte[]> packets = new ArrayList<>();

        @Override
        public int onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            packets.add(copy(buffer, offset, length));
            return ACCEPTED;
        }
    }
}
