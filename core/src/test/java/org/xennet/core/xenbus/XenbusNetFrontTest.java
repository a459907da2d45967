package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;
import org.xennet.xenstore.XsError;
import org.xennet.xenstore.XsPermission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link XenbusNetFront} open/close key by key, every failure's undo, the backend refusing bad keys, probe errors
 * and a close with the backend gone; {@link XenbusNetBack} never throwing into its watch thread.
 */
class XenbusNetFrontTest
{
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final List<String> OPEN_KEYS = List.of("multi-queue-num-queues", "tx-ring-ref", "rx-ring-ref",
        "event-channel-tx", "event-channel-rx", "request-rx-copy", "feature-sg", "feature-rx-notify",
        "feature-gso-tcpv4", "feature-gso-tcpv6", "feature-ipv6-csum-offload");
    private static final List<String> TOOLSTACK_KEYS = List.of("backend", "backend-id", "handle", "mac", "state");

    private InMemoryXenStore memory;
    private RecordingStore store;
    private VifRig rig;
    private XenbusNetBack backend;

    @BeforeEach
    void setUp()
    {
        memory = new InMemoryXenStore();
        store = new RecordingStore(memory, VifKeys.frontendPath(3, 0));
        rig = new VifRig(store, 3, PacketSinks.discard(), Duration.ofSeconds(5));
        backend = rig.backend(XenbusNetBack.Behaviour.MODERN);
        backend.start();
        store.log.clear();
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
        memory.close();
    }

    @Test
    void shouldWriteKeysThenConnectedAndRemoveThemInReverseOnClose()
    {
        final XenbusNetFront netfront = rig.frontend();
        netfront.open();
        final List<String> expected = new ArrayList<>(List.of("write state=1"));
        final List<String> values = List.of("1", Integer.toString(rig.front.txRingRef()),
            Integer.toString(rig.front.rxRingRef()), Integer.toString(rig.front.txEvent().port()),
            Integer.toString(rig.front.rxEvent().port()), "1", "1", "1", "1", "1", "1");
        for (int i = 0; i < OPEN_KEYS.size(); i++)
        {
            expected.add("write " + OPEN_KEYS.get(i) + "=" + values.get(i));
        }
        expected.add("write state=4");
        assertEquals(expected, store.log);
        assertTrue(netfront.isOpen());

        store.log.clear();
        netfront.close();
        final List<String> closing = new ArrayList<>(List.of("write state=6", "write state=1"));
        for (int i = OPEN_KEYS.size() - 1; i >= 0; i--)
        {
            closing.add("rm " + OPEN_KEYS.get(i));
        }
        assertEquals(closing, store.log);
        assertClosedAndClean(netfront);
    }

    @ParameterizedTest
    @ValueSource(strings = {"multi-queue-num-queues", "tx-ring-ref", "rx-ring-ref", "event-channel-tx",
        "event-channel-rx", "request-rx-copy", "feature-sg", "feature-rx-notify", "feature-gso-tcpv4",
        "feature-gso-tcpv6", "feature-ipv6-csum-offload"})
    void shouldUndoEveryFinishedStepInReverseWhenAWriteFails(final String failingKey)
    {
        store.failWriteOf = failingKey;
        final XenbusNetFront netfront = rig.frontend();
        final XenStoreException ex = assertThrows(XenStoreException.class, netfront::open);
        assertEquals(XsError.EIO, ex.error());
        final List<String> expected = new ArrayList<>(List.of("write state=1"));
        final int failed = OPEN_KEYS.indexOf(failingKey);
        for (int i = 0; i < failed; i++)
        {
            expected.add("write " + OPEN_KEYS.get(i));
        }
        for (int i = failed - 1; i >= 0; i--)
        {
            expected.add("rm " + OPEN_KEYS.get(i));
        }
        assertEquals(expected, store.log.stream()
            .map(s -> s.replaceAll("=.*", "").replace("write state", "write state=1")).toList());
        assertClosedAndClean(netfront);
        assertEquals(XenbusState.INIT_WAIT, rig.backendState());
    }

    @ParameterizedTest
    @CsvSource({
        "tx-ring-ref, x1",
        "tx-ring-ref, 4000",
        "rx-ring-ref, ''",
        "rx-ring-ref, 4294967296",
        "event-channel-tx, 99",
        "event-channel-rx, 1",
        "request-rx-copy, 0",
        "multi-queue-num-queues, 0",
        "multi-queue-num-queues, 2"})
    void shouldFailOpenAndUndoWhenTheBackendRefusesAKey(final String key, final String value)
    {
        store.replaceKey = key;
        store.replaceValue = value;
        final XenbusNetFront netfront = rig.frontend();
        final XenbusException ex = assertThrows(XenbusException.class, netfront::open);
        assertTrue(ex.getMessage().contains("netback refused to connect") && ex.getMessage().contains(key),
            ex.getMessage());
        assertNotNull(backend.lastError());
        assertTrue(memory.read(rig.vif.backendPath() + "/error").contains(key));
        assertClosedAndClean(netfront);
        assertEquals(List.of("Initialising", "Connected", "Closed", "Initialising"), frontWrites());
        assertEquals(XenbusState.INIT_WAIT, rig.backendState());

        store.replaceKey = null; // the same device connects once the keys are right
        netfront.open();
        assertEquals(NetBack.State.CONNECTED, rig.back.state());
        netfront.close();
        assertClosedAndClean(netfront);
    }

    @ParameterizedTest
    @ValueSource(strings = {"feature-rx-copy"})
    void shouldRefuseToOpenWhenTheBackendLacksAFeature(final String feature)
    {
        memory.rm(rig.vif.backendPath() + "/" + feature);
        final XenbusNetFront netfront = rig.frontend();
        final XenbusException ex = assertThrows(XenbusException.class, netfront::open);
        assertTrue(ex.getMessage().contains(feature), ex.getMessage());
        assertEquals(List.of("write state=1"), store.log);
        assertClosedAndClean(netfront);
    }

    @Test
    void shouldUseOneEventChannelWhenTheBackendLacksSplitChannelsAndRemoveStaleSplitKeys()
    {
        memory.rm(rig.vif.backendPath() + "/feature-split-event-channels");
        memory.write(rig.vif.frontendPath() + "/event-channel-tx", "3"); // a previous instance's leftovers
        memory.write(rig.vif.frontendPath() + "/event-channel-rx", "4");
        final XenbusNetFront netfront = rig.frontend();
        netfront.open();
        assertEquals(NetBack.State.CONNECTED, rig.back.state());
        assertTrue(rig.front.txEvent() == rig.front.rxEvent(), "one end for both rings");
        assertEquals(Integer.toString(rig.front.txEvent().port()),
            memory.read(rig.vif.frontendPath() + "/event-channel"));
        assertFalse(memory.readIfExists(0, rig.vif.frontendPath() + "/event-channel-tx").isPresent());
        assertFalse(memory.readIfExists(0, rig.vif.frontendPath() + "/event-channel-rx").isPresent());
        assertTrue(netfront.decisions().get(0).contains("lacks feature-split-event-channels"),
            netfront.decisions().toString());
        assertEquals(1, rig.registry.size());
        netfront.close();
        assertClosedAndClean(netfront);
    }

    @Test
    void shouldGiveEachOpenFreshPortsAndNeverBindAClosedOne()
    {
        final XenbusNetFront netfront = rig.frontend();
        netfront.open();
        final String firstTx = memory.read(rig.vif.frontendPath() + "/event-channel-tx");
        netfront.close();
        netfront.open();
        final String secondTx = memory.read(rig.vif.frontendPath() + "/event-channel-tx");
        assertTrue(!firstTx.equals(secondTx), "ports reused: " + firstTx);
        assertEquals(null, rig.registry.lookupUnbound(3, Long.parseLong(firstTx)));
        netfront.close();
    }

    @Test
    void shouldTimeOutNamingTheStateAndUndoWhenTheBackendNeverConnects()
    {
        backend.close(); // the driver goes away in InitWait: nobody answers Connected
        final XenbusNetFront netfront = new XenbusNetFront(
            store, rig.vif.frontendPath(), rig.front, rig.registry, SHORT, rig.listener);
        final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class, netfront::open);
        assertEquals(XenbusState.INIT_WAIT, ex.lastSeen());
        assertTrue(ex.awaited().contains(XenbusState.CONNECTED));
        assertTrue(ex.getMessage().contains("lastSeen=InitWait(2)"), ex.getMessage());
        assertClosedAndClean(netfront);
    }

    @Test
    void shouldFinishTeardownAndReportALinkErrorWhenTheBackendIsGoneAtClose()
    {
        final XenbusNetFront netfront = new XenbusNetFront(
            store, rig.vif.frontendPath(), rig.front, rig.registry, SHORT, rig.listener);
        netfront.open();
        backend.close(); // unmaps and stops answering, its state node still says Connected
        netfront.close();
        final XenbusTimeoutException ex = assertInstanceOf(XenbusTimeoutException.class, netfront.linkError());
        assertEquals(XenbusState.CONNECTED, ex.lastSeen());
        assertClosedAndClean(netfront);
    }

    @Test
    void shouldConnectAsTheGuestDomainUnderTheToolstacksPermissions()
    {
        try (XenStore guest = memory.session(3)) // owns its directory, may only read the backend's
        {
            final XenbusNetFront netfront = new XenbusNetFront(
                guest, rig.vif.frontendPath(), rig.front, rig.registry, Duration.ofSeconds(5), rig.listener);
            netfront.open();
            assertEquals(NetBack.State.CONNECTED, rig.back.state());
            assertEquals(List.of(new XsPermission(3, XsPermission.Access.NONE),
                new XsPermission(0, XsPermission.Access.READ)),
                memory.getPermissions(0, rig.vif.frontendPath() + "/tx-ring-ref"));
            netfront.close();
            assertClosedAndClean(netfront);
        }
    }

    @Test
    void shouldRejectAProbeWithoutMacOrWithAnotherBackendId()
    {
        memory.write(rig.vif.frontendPath() + "/mac", "00:16:3e:12:34");
        assertTrue(assertThrows(XenbusException.class, rig::frontend).getMessage().contains("bad mac"));
        memory.rm(rig.vif.frontendPath() + "/mac");
        assertTrue(assertThrows(XenbusException.class, rig::frontend).getMessage().contains("key missing"));
        memory.write(rig.vif.frontendPath() + "/mac", VifRig.MAC);
        memory.write(rig.vif.frontendPath() + "/backend-id", "5");
        assertTrue(assertThrows(XenbusException.class, rig::frontend).getMessage().contains("backend-id"));
    }

    @Test
    void shouldIgnoreAMalformedFrontendStateWithoutThrowingIntoTheWatchThread() throws Exception
    {
        memory.write(rig.vif.frontendPath() + "/state", "banana");
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (backend.lastError() == null && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertTrue(backend.lastError().contains("banana"), backend.lastError());
        assertEquals(XenbusState.INIT_WAIT, rig.backendState());
        memory.write(rig.vif.frontendPath() + "/state", "1"); // and it still works afterwards
        final XenbusNetFront netfront = rig.frontend();
        netfront.open();
        netfront.close();
        assertClosedAndClean(netfront);
    }

    private void assertClosedAndClean(final XenbusNetFront netfront)
    {
        assertTrue(!netfront.isOpen());
        assertEquals(NetFront.State.CLOSED, rig.front.state());
        assertEquals(NetBack.State.CLOSED, rig.back.state());
        assertEquals(0, rig.guest.allocator().used(), "grant refs");
        assertEquals(0, rig.registry.size(), "event channel ends");
        assertEquals(TOOLSTACK_KEYS, memory.directory(rig.vif.frontendPath()).stream().sorted().toList());
    }

    private List<String> frontWrites()
    {
        return rig.transitions.stream().filter(t -> t.startsWith("front "))
            .map(t -> t.substring(t.indexOf("->") + 2)).toList();
    }
}
