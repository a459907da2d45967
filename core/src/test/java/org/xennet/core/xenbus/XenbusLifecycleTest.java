package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netback.XenbusNetBack.Behaviour;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.rings.netif.NetifResponseStatus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vif's whole life over xenstore: open, packets both ways, an unclean reboot of the frontend (state left
 * Connected, rings granted and mapped, a packet in flight, rx buffers posted), a new driver instance that resets
 * and reconnects, packets again, close; nothing leaked (grant refs, grant entries, ids, rx pages, event channel
 * ends, xenstore keys). Over the embedded store and over the Java client talking to the wire server, with both
 * backend behaviours.
 */
class XenbusLifecycleTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> TOOLSTACK_KEYS = List.of("backend", "backend-id", "handle", "mac", "state");

    static Stream<Arguments> stores()
    {
        final List<Arguments> args = new ArrayList<>();
        for (final StoreKind kind : StoreKind.values())
        {
            for (final Behaviour behaviour : Behaviour.values())
            {
                args.add(Arguments.of(kind, behaviour));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stores")
    void shouldReconnectAfterAnUncleanRebootWithoutLeaking(final StoreKind kind, final Behaviour behaviour)
        throws Exception
    {
        final Capture sink = new Capture();
        try (StoreKind.Handle handle = kind.open(); VifRig rig = new VifRig(handle.store, 7, sink, TIMEOUT))
        {
            final XenbusNetBack backend = rig.backend(behaviour);
            backend.start();
            final XenbusNetFront first = rig.frontend();
            assertArrayEquals(new byte[]{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}, first.mac());
            assertEquals(rig.vif.backendPath(), first.backendPath());

            first.open();
            final int refsOpen = rig.guest.allocator().used();
            assertEquals(2 + VifRig.IDS + VifRig.RX_BUFFERS, refsOpen);
            assertConnected(rig, backend);
            assertEquals(List.of("Initialising", "Connected"), frontWrites(rig)); // backend was in InitWait
            exchange(rig, sink, 5);
            assertQuiescent(rig);

            // Unclean reboot: a packet in flight, rx buffers posted, state left Connected, the wrapper dropped.
            assertTrue(rig.front.transmit(appOffset(0), 100) > 0);
            rig.transitions.clear();
            final XenbusNetFront rebooted = rig.frontend();
            assertEquals(XenbusState.CONNECTED, rebooted.frontendState());
            assertEquals(XenbusState.CONNECTED, rig.backendState());

            rebooted.open();
            assertEquals(List.of("Closed", "Initialising", "Connected"), frontWrites(rig));
            assertTrue(rig.transitions.containsAll(List.of("back Connected->Closing", "back Closing->Closed",
                "back Closed->InitWait", "back InitWait->Connected")), rig.transitions.toString());
            assertEquals(refsOpen, rig.guest.allocator().used(), "refs after reconnect");
            assertEquals(VifRig.IDS, rig.front.txFreeIds(), "tx ids after reconnect");
            assertEquals(VifRig.RX_BUFFERS, rig.front.rxFreeIds(), "rx ids after reconnect");
            assertEquals(VifRig.RX_BUFFERS, rig.front.rxPoolAvailable(), "rx pages after reconnect");
            assertEquals(0, rig.front.deferredGrants(), "grants the backend still held");
            assertConnected(rig, backend);
            assertEquals(2, backend.connects());
            exchange(rig, sink, 5);

            assertQuiescent(rig);
            rebooted.close();
            assertNull(rebooted.linkError());
            assertNothingLeaked(rig, backend);
            assertEquals(XenbusState.INIT_WAIT, rig.backendState());
            assertNull(backend.lastError());
        }
    }

    private static void assertConnected(final VifRig rig, final XenbusNetBack backend)
    {
        assertEquals(NetFront.State.CONNECTED, rig.front.state());
        assertEquals(NetBack.State.CONNECTED, rig.back.state());
        assertEquals(XenbusState.CONNECTED, backend.state());
        assertEquals(Integer.toString(rig.front.txRingRef()), rig.store.read(rig.vif.frontendPath() + "/tx-ring-ref"));
        assertEquals(Integer.toString(rig.front.rxRingRef()), rig.store.read(rig.vif.frontendPath() + "/rx-ring-ref"));
        assertEquals(backend.behaviour() == Behaviour.MODERN ? 2 : 1, rig.registry.size(), "event channel ends");
    }

    private static void assertNothingLeaked(final VifRig rig, final XenbusNetBack backend)
    {
        assertEquals(NetFront.State.CLOSED, rig.front.state());
        assertEquals(NetBack.State.CLOSED, rig.back.state());
        assertEquals(0, rig.guest.allocator().used(), "grant refs");
        assertEquals(0, rig.front.deferredGrants(), "deferred grants");
        for (int ref = 0; ref < rig.guest.grantTable().entryCount(); ref++)
        {
            final int flags = rig.guest.grantTable().frames().getShort(GrantEntryV1Descriptor.entryOffset(ref));
            assertEquals(GrantFlags.INVALID, flags, "grant entry left valid: ref=" + ref);
        }
        for (int id = 0; id < VifRig.IDS; id++)
        {
            assertEquals(-1, rig.front.txRef(id), "tx id still holds a ref: id=" + id);
        }
        for (int id = 0; id < VifRig.RX_BUFFERS; id++)
        {
            assertEquals(-1, rig.front.rxRef(id), "rx id still holds a ref: id=" + id);
        }
        assertEquals(0, rig.registry.size(), "event channel ends");
        assertEquals(TOOLSTACK_KEYS, rig.store.directory(rig.vif.frontendPath()).stream().sorted().toList());
    }

    /** Every tx id back; every free rx id has its page (the rest are posted). */
    private static void assertQuiescent(final VifRig rig)
    {
        assertEquals(VifRig.IDS, rig.front.txFreeIds(), "tx ids");
        assertEquals(rig.front.rxFreeIds(), rig.front.rxPoolAvailable(), "rx ids vs rx pages");
    }

    /** Sends n packets each way and checks every byte. */
    private static void exchange(final VifRig rig, final Capture sink, final int n)
    {
        final NetFront front = rig.front;
        assertTrue(front.refillRx() > 0 || front.rxPoolAvailable() == 0);
        final MutableDirectBuffer memory = rig.guest.memory().buffer();
        final ExpandableArrayBuffer packet = new ExpandableArrayBuffer(8192);
        final List<byte[]> received = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final int length = 60 + 997 * i;
            for (int b = 0; b < length; b++)
            {
                memory.putByte(appOffset(1) + b, (byte)(i * 31 + b));
                packet.putByte(b, (byte)(i * 7 + b));
            }
            sink.packets.clear();
            assertTrue(front.transmit(appOffset(1), length) > 0, "transmit " + i);
            assertEquals(1, rig.back.pollTx(16));
            assertEquals(1, sink.packets.size());
            final byte[] sent = new byte[length];
            memory.getBytes(appOffset(1), sent);
            assertArrayEquals(sent, sink.packets.get(0), "tx bytes " + i);
            final int[] status = {Integer.MIN_VALUE};
            while (front.pollTx((offset, len, st) -> status[0] = st, 16) == 0 && status[0] == Integer.MIN_VALUE)
            {
                Thread.onSpinWait();
            }
            assertEquals(NetifResponseStatus.OKAY, status[0]);

            assertEquals(PacketSink.ACCEPTED, rig.back.deliver(packet, 0, length), "deliver " + i);
            received.clear();
            assertEquals(1, front.pollRx((buffer, offset, len) -> received.add(copy(buffer, offset, len)), 16));
            final byte[] expected = new byte[length];
            packet.getBytes(0, expected);
            assertArrayEquals(expected, received.get(0), "rx bytes " + i);
            front.refillRx();
        }
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static int appOffset(final int page)
    {
        return (VifRig.APP_FIRST_PAGE + page * 3) * 4096;
    }

    private static List<String> frontWrites(final VifRig rig)
    {
        return rig.transitions.stream().filter(t -> t.startsWith("front "))
            .map(t -> t.substring(t.indexOf("->") + 2)).toList();
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
