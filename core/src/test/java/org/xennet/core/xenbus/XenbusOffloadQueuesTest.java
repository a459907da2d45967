package org.xennet.core.xenbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.core.offload.OffloadFeatures;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.PacketHeaders;
import org.xennet.core.offload.TestFrames;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;

/**
 * Offload features and multi-queue through xenstore: the key sets both ends write, compared with what Linux's
 * netfront ({@code talk_to_netback}) and netback ({@code netback_probe}) write; queue caps and an old backend;
 * traffic on two queues, each driven on its own thread; a backend without GSO getting segmented frames.
 */
class XenbusOffloadQueuesTest
{
    private static final int FRONT_DOMID = 5;
    private static final int BACK_DOMID = 0;
    private static final int IDS = 16;
    private static final int RX_PAGES = 16;
    private static final int TX_CHUNKS = 4;
    private static final int TX_CHUNK_PAGES = 17;
    private static final int QUEUE_PAGES = RX_PAGES + TX_CHUNKS * TX_CHUNK_PAGES;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final InMemoryXenStore store = new InMemoryXenStore();
    private final EventChannelRegistry registry = new EventChannelRegistry();
    private final List<Sink> sinks = new ArrayList<>();
    private GuestDomain guest;
    private VifToolstack.Vif vif;
    private XenbusNetBack backend;
    private XenbusNetFront frontend;

    @AfterEach
    void tearDown()
    {
        if (frontend != null)
        {
            frontend.close();
        }
        if (backend != null)
        {
            backend.close();
        }
        store.close();
    }

    private void build(final int frontQueues, final int backQueues)
    {
        guest = GuestDomain.create(FRONT_DOMID, 1, 4 * (2 + 2 * IDS), 4 * QUEUE_PAGES, 0x10_0000, 8, 0x1000);
        vif = VifToolstack.create(store, BACK_DOMID, FRONT_DOMID, 0, "00:16:3e:00:00:05");
        final List<NetFront> fronts = new ArrayList<>();
        for (int q = 0; q < frontQueues; q++)
        {
            final NetFrontConfig config = new NetFrontConfig()
                .frontendDomid(FRONT_DOMID)
                .backendDomid(BACK_DOMID)
                .txIds(IDS)
                .rxIds(IDS)
                .txRingPage(2 * q)
                .rxRingPage(2 * q + 1)
                .txEventPort(10 + 2 * q)
                .rxEventPort(11 + 2 * q)
                .rxBufferFirstPage(q * QUEUE_PAGES)
                .rxBufferCount(RX_PAGES)
                .txBufferFirstPage(q * QUEUE_PAGES + RX_PAGES)
                .txBufferCount(TX_CHUNKS)
                .txBufferPages(TX_CHUNK_PAGES);
            fronts.add(new NetFront(config, guest.memory(), guest.ringMemory(), guest.grantTable(),
                guest.allocator()));
        }
        final List<NetBack> backs = new ArrayList<>();
        for (int q = 0; q < backQueues; q++)
        {
            final Sink sink = new Sink();
            sinks.add(sink);
            backs.add(new NetBack(BACK_DOMID, guest.grantTable(), guest.memory(), sink));
        }
        backend = new XenbusNetBack(store, vif.backendPath(), backs, guest.ringMemory(), registry,
            XenbusNetBack.Behaviour.MODERN, (path, from, to) -> { });
        frontend = new XenbusNetFront(store, vif.frontendPath(), fronts, registry, TIMEOUT, (path, from, to) -> { });
    }

    private Map<String, String> keys(final String directory, final List<String> names)
    {
        final Map<String, String> values = new TreeMap<>();
        for (final String name : names)
        {
            store.readIfExists(XenStore.NO_TRANSACTION, directory + "/" + name).ifPresent(v -> values.put(name, v));
        }
        return values;
    }

    @Test
    void shouldWriteTheOffloadAndQueueKeysLinuxWritesAtBothEnds()
    {
        build(1, 1);
        backend.start();
        frontend.open();

        // Linux netback_probe: feature-sg, -gso-tcpv4, -gso-tcpv6, -ipv6-csum-offload, -rx-copy = 1,
        // multi-queue-max-queues = its maximum (here 1), feature-split-event-channels = 1.
        final List<String> backKeys = List.of("feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6",
            "feature-ipv6-csum-offload", "feature-rx-copy", "multi-queue-max-queues", "feature-split-event-channels");
        assertEquals(Map.of("feature-sg", "1", "feature-gso-tcpv4", "1", "feature-gso-tcpv6", "1",
            "feature-ipv6-csum-offload", "1", "feature-rx-copy", "1", "multi-queue-max-queues", "1",
            "feature-split-event-channels", "1"), keys(vif.backendPath(), backKeys));
        // Linux talk_to_netback: multi-queue-num-queues (the backend has the key), flat ring/event keys for one
        // queue, request-rx-copy, feature-rx-notify, feature-sg, feature-gso-tcpv4, -gso-tcpv6,
        // -ipv6-csum-offload = 1; never feature-no-csum-offload.
        final List<String> frontKeys = List.of("multi-queue-num-queues", "request-rx-copy", "feature-rx-notify",
            "feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6", "feature-ipv6-csum-offload",
            "feature-no-csum-offload", "queue-0/tx-ring-ref");
        assertEquals(Map.of("multi-queue-num-queues", "1", "request-rx-copy", "1", "feature-rx-notify", "1",
            "feature-sg", "1", "feature-gso-tcpv4", "1", "feature-gso-tcpv6", "1", "feature-ipv6-csum-offload", "1"),
            keys(vif.frontendPath(), frontKeys));
        assertTrue(store.readIfExists(XenStore.NO_TRANSACTION, vif.frontendPath() + "/tx-ring-ref").isPresent());
        assertEquals(OffloadFeatures.ALL, frontend.front().backendFeatures());
        assertEquals(OffloadFeatures.ALL, backend.back().frontendOffload());
        assertEquals(1, frontend.queueCount());
        assertEquals(1, backend.connectedQueues());
    }

    @Test
    void shouldUseQueueDirectoriesForTwoQueuesAndCarryTrafficOnEachOnItsOwnThread() throws Exception
    {
        build(2, 2);
        backend.start();
        frontend.open();
        assertEquals(2, frontend.queueCount());
        assertEquals(2, backend.connectedQueues());
        assertEquals("2", store.read(vif.frontendPath() + "/multi-queue-num-queues"));
        assertEquals("2", store.read(vif.backendPath() + "/multi-queue-max-queues"));
        for (int q = 0; q < 2; q++)
        {
            for (final String key : List.of("tx-ring-ref", "rx-ring-ref", "event-channel-tx", "event-channel-rx"))
            {
                assertTrue(store.readIfExists(XenStore.NO_TRANSACTION,
                    vif.frontendPath() + "/queue-" + q + "/" + key).isPresent(), "queue-" + q + "/" + key);
                assertFalse(store.readIfExists(XenStore.NO_TRANSACTION, vif.frontendPath() + "/" + key).isPresent(),
                    "no flat " + key + " with two queues");
            }
        }

        final int packets = 500;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int q = 0; q < 2; q++)
        {
            final NetFront front = frontend.queues().get(q);
            final NetBack back = backend.queues().get(q);
            final byte[] frame = TestFrames.udp(false, 100 + q, q, false);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final TxClaim claim = new TxClaim();
                    final UnsafeBuffer source = new UnsafeBuffer(frame);
                    int sent = 0;
                    long completed = 0;
                    while (completed < packets)
                    {
                        if (sent < packets && front.offer(source, 0, frame.length, claim) > 0)
                        {
                            sent++;
                        }
                        back.pollTx(64);
                        front.pollTx(null, 64);
                        completed = front.txPackets();
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "queue-" + q);
            threads.add(thread);
            thread.start();
        }
        for (final Thread t : threads)
        {
            t.join(60_000);
        }
        assertNull(failure.get());
        for (int q = 0; q < 2; q++)
        {
            assertEquals(packets, sinks.get(q).packets, "queue " + q);
            assertEquals(100 + q + 42, sinks.get(q).lastLength, "queue " + q + " carried its own frames");
            assertEquals(packets, backend.queues().get(q).txPackets());
        }
    }

    @Test
    void shouldCapTheQueuesAtTheBackendsMaximum()
    {
        build(2, 1);
        backend.start();
        frontend.open();
        assertEquals(1, frontend.queueCount());
        assertEquals("1", store.read(vif.frontendPath() + "/multi-queue-num-queues"));
        assertTrue(store.readIfExists(XenStore.NO_TRANSACTION, vif.frontendPath() + "/tx-ring-ref").isPresent());
        assertEquals(NetFront.State.CLOSED, frontend.queues().get(1).state(), "a queue beyond the cap stays closed");
    }

    @Test
    void shouldUseOneQueueWithFlatKeysForAnOldBackendWithoutTheKey()
    {
        build(2, 2);
        backend.start();
        store.rm(XenStore.NO_TRANSACTION, vif.backendPath() + "/multi-queue-max-queues"); // an old netback
        frontend.open();
        assertEquals(1, frontend.queueCount());
        assertFalse(store.readIfExists(XenStore.NO_TRANSACTION, vif.frontendPath() + "/multi-queue-num-queues")
            .isPresent(), "nothing written the backend would not read");
        assertTrue(store.readIfExists(XenStore.NO_TRANSACTION, vif.frontendPath() + "/tx-ring-ref").isPresent());
        assertEquals(1, backend.connectedQueues());
    }

    @Test
    void shouldRefuseAFrontendAskingMoreQueuesThanOffered()
    {
        build(2, 1);
        backend.start();
        store.write(vif.backendPath() + "/multi-queue-max-queues", "4"); // the frontend is made to ask for 2
        final XenbusException ex = assertThrows(XenbusException.class, frontend::open);
        assertTrue(ex.getMessage().contains("guest requested 2 queues, but valid range is 1 - 1"), ex.getMessage());
        assertEquals(0, backend.connectedQueues());
    }

    @Test
    void shouldSegmentAndChecksumForABackendWithoutGsoAndTellAFrontendWithoutOffloadApart()
    {
        build(1, 1);
        backend.offloadFeatures(OffloadFeatures.NONE); // an old netback: feature-sg only
        backend.start();
        frontend.offloadFeatures(OffloadFeatures.SG | OffloadFeatures.NO_CSUM);
        frontend.open();
        assertEquals(OffloadFeatures.SG, frontend.front().backendFeatures());
        assertEquals(OffloadFeatures.SG | OffloadFeatures.NO_CSUM, backend.back().frontendOffload());
        assertEquals("1", store.read(vif.frontendPath() + "/feature-no-csum-offload"));
        assertFalse(store.readIfExists(XenStore.NO_TRANSACTION, vif.backendPath() + "/feature-gso-tcpv4").isPresent());

        final byte[] frame = TestFrames.tcp(false, 5_000, 3, true, 0x18);
        final OffloadInfo gso = new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV4, 1448).partialCsum(34, 16);
        final NetFront front = frontend.front();
        assertTrue(front.offer(new UnsafeBuffer(frame), 0, frame.length, gso, new TxClaim()) > 0);
        backend.back().pollTx(64);
        front.pollTx(null, 64);
        final Sink sink = sinks.get(0);
        assertEquals(4, sink.packets, "5000 bytes at MSS 1448: four MTU-sized frames");
        assertEquals(4, sink.verified, "each with a full, correct checksum");
        assertEquals(0, sink.offloaded, "no GSO or blank checksum reached a backend that did not offer it");
        assertEquals(1, front.txSegmentedFrames());
    }

    /** Counts frames, checks their checksums. */
    private static final class Sink implements PacketSink
    {
        private final PacketHeaders headers = new PacketHeaders();
        volatile long packets;
        int verified;
        int offloaded;
        int lastLength;

        @Override
        public int onPacket(final org.agrona.DirectBuffer buffer, final int offset, final int length)
        {
            lastLength = length;
            if (headers.verify(buffer, offset, length))
            {
                verified++;
            }
            packets++;
            return ACCEPTED;
        }

        @Override
        public int onPacket(final org.agrona.DirectBuffer buffer, final int offset, final int length,
            final OffloadInfo info)
        {
            if (!info.isPlain())
            {
                offloaded++;
            }
            return onPacket(buffer, offset, length);
        }
    }
}
