package org.xennet.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xennet.core.event.IdleMode;
import org.xennet.core.offload.OffloadFeatures;

/**
 * The in-process path with a real Linux stack at both ends: {@code ns-guest eth0 <-> NetFront <-> NetBack <-> vif
 * ns-host}, in two namespaces the test creates (and deletes after), addresses in 192.0.2.0/24 only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class TapPathTest
{
    private static final String GUEST_IP = "192.0.2.1";
    private static final String HOST_IP = "192.0.2.2";
    private static final long FLOW_BYTES = 100_000; // well above ARP/ND noise: a TCP flow's data went this way
    private static final long FLOW_PACKETS = 50;

    private NetnsSandbox sandbox;
    private String guestNs;
    private String hostNs;
    private TapPath path;
    private String guestTap;
    private String vifTap;

    @BeforeEach
    void setUp()
    {
        TapTestSupport.requireNetworkSandbox("ping", "iperf3");
        sandbox = new NetnsSandbox("xntp");
        guestNs = sandbox.addNamespace("g");
        hostNs = sandbox.addNamespace("h");
        final long id = ProcessHandle.current().pid() % 100_000;
        guestTap = "xng" + id;
        vifTap = "xnv" + id;
    }

    private void startPath(final boolean offload, final int peerFeatures)
    {
        startPath(offload, peerFeatures, 1);
    }

    private void startPath(final boolean offload, final int peerFeatures, final int queues)
    {
        path = TapPath.start(new TapPath.Context()
            .guestTap(new TapConfig().name(guestTap).netns(guestNs))
            .vifTap(new TapConfig().name(vifTap).netns(hostNs))
            .offload(offload)
            .peerFeatures(peerFeatures)
            .queues(queues)
            .idleMode(IdleMode.BACKOFF));
        sandbox.up(guestNs, guestTap, GUEST_IP + "/24");
        sandbox.up(hostNs, vifTap, HOST_IP + "/24");
    }

    private void startPath()
    {
        startPath(false, OffloadFeatures.ALL);
    }

    @AfterEach
    void tearDown()
    {
        if (null != path)
        {
            path.close();
        }
        if (null != sandbox)
        {
            sandbox.close();
        }
    }

    @Test
    void shouldPingBothWaysThroughThePath()
    {
        startPath();
        final NetnsSandbox.Result fromGuest =
            sandbox.exec(guestNs, 20_000, "ping", "-c", "5", "-i", "0.2", "-W", "5", HOST_IP);
        assertTrue(fromGuest.ok(), "guest -> host ping failed: " + fromGuest.output() + "\n" + describe());
        final NetnsSandbox.Result fromHost =
            sandbox.exec(hostNs, 20_000, "ping", "-c", "5", "-i", "0.2", "-W", "5", GUEST_IP);
        assertTrue(fromHost.ok(), "host -> guest ping failed: " + fromHost.output() + "\n" + describe());
        assertTrue(path.front().txPackets() >= 10, describe()); // requests and replies crossed the ring
        assertTrue(path.back().rxPackets() >= 10, describe());
        assertEquals(TapPath.State.RUNNING, path.state());
    }

    @Test
    void shouldCarryAnIperf3TcpRunThroughThePath()
    {
        startPath();
        iperf();
        assertEquals(0, path.front().txGsoPackets(), "offload off: MTU-sized frames only: " + describe());
    }

    @Test
    void shouldCarryGsoFramesThroughTheRingWithOffloadOn()
    {
        startPath(true, OffloadFeatures.ALL);
        iperf();
        assertTrue(path.guestEnd().gsoFromTap() > 0, "the guest stack sent GSO frames: " + describe());
        assertTrue(path.front().txGsoPackets() > 0 && path.back().txGsoPackets() > 0,
            "GSO extra slots crossed the tx ring: " + describe());
        assertTrue(path.vifEnd().gsoToTap() > 0, describe());
    }

    @Test
    void shouldStillWorkWithAPeerWithoutGsoFeatures()
    {
        startPath(true, OffloadFeatures.SG | OffloadFeatures.IPV6_CSUM); // no feature-gso-tcpv4/6
        iperf();
        assertTrue(path.guestEnd().gsoFromTap() > 0, "the guest stack sent GSO frames: " + describe());
        assertEquals(0, path.front().txGsoPackets(), "segmented in software, none on the ring: " + describe());
        assertEquals(0, path.back().rxGsoPackets(), describe());
    }

    @Test
    void shouldSpreadParallelFlowsAcrossTwoQueuePairs()
    {
        startPath(false, OffloadFeatures.ALL, 2);
        assertEquals(2, path.queues());
        // Each TCP flow hashes to one TAP queue (random seed per boot): 8 flows leave one queue idle with odds
        // 1/128; a fresh run (new ports) is tried at most 3 times before that counts as a failure.
        for (int run = 0; run < 3 && !bothQueuesCarriedFlows(); run++)
        {
            final Process server = sandbox.spawn(hostNs, "iperf3", "-s", "-1", "-B", HOST_IP);
            final NetnsSandbox.Result client = awaitIperfClient("-P", "8", "-t", "2");
            server.destroy();
            assertTrue(client.ok(), "iperf3 failed: " + client.output() + "\n" + describe());
        }
        for (int q = 0; q < 2; q++)
        {
            assertTrue(path.front(q).txBytes() > FLOW_BYTES && path.back(q).txBytes() > FLOW_BYTES,
                "queue " + q + " carried guest -> host data: " + describe());
            assertTrue(path.back(q).rxPackets() > FLOW_PACKETS && path.front(q).rxPackets() > FLOW_PACKETS,
                "queue " + q + " carried host -> guest ACKs: " + describe());
        }
        final NetnsSandbox.Result fromGuest =
            sandbox.exec(guestNs, 20_000, "ping", "-c", "3", "-i", "0.2", "-W", "5", HOST_IP);
        assertTrue(fromGuest.ok(), "guest -> host ping failed: " + fromGuest.output() + "\n" + describe());
        final NetnsSandbox.Result fromHost =
            sandbox.exec(hostNs, 20_000, "ping", "-c", "3", "-i", "0.2", "-W", "5", GUEST_IP);
        assertTrue(fromHost.ok(), "host -> guest ping failed: " + fromHost.output() + "\n" + describe());
        assertEquals(TapPath.State.RUNNING, path.state());
    }

    private boolean bothQueuesCarriedFlows()
    {
        for (int q = 0; q < path.queues(); q++)
        {
            if (path.front(q).txBytes() <= FLOW_BYTES || path.back(q).txBytes() <= FLOW_BYTES ||
                path.back(q).rxPackets() <= FLOW_PACKETS || path.front(q).rxPackets() <= FLOW_PACKETS)
            {
                return false;
            }
        }
        return true;
    }

    private void iperf()
    {
        final Process server = sandbox.spawn(hostNs, "iperf3", "-s", "-1", "-B", HOST_IP);
        final NetnsSandbox.Result client = awaitIperfClient();
        assertTrue(client.ok(), "iperf3 failed: " + client.output() + "\n" + describe());
        final Matcher receiver = Pattern.compile("([0-9.]+) ([KMG]?)bits/sec.*receiver").matcher(client.output());
        assertTrue(receiver.find(), "no receiver line: " + client.output());
        assertTrue(Double.parseDouble(receiver.group(1)) > 0, client.output());
        assertTrue(path.back().txBytes() > 1_000_000, "the data crossed the tx ring: " + describe());
        assertTrue(path.vifEnd().bytesToTap() > 1_000_000, describe());
        server.destroy();
    }

    /** The server needs a moment to listen: retry the connect a few times (bounded). */
    private NetnsSandbox.Result awaitIperfClient()
    {
        return awaitIperfClient("-t", "3");
    }

    private NetnsSandbox.Result awaitIperfClient(final String... options)
    {
        final List<String> command = new ArrayList<>(List.of("iperf3", "-c", HOST_IP));
        command.addAll(List.of(options));
        command.addAll(List.of("-f", "m", "--connect-timeout", "5000"));
        NetnsSandbox.Result client = null;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            client = sandbox.exec(guestNs, 30_000, command.toArray(new String[0]));
            if (client.ok() || !client.output().contains("Connection refused"))
            {
                return client;
            }
            sleepQuietly(100);
        }
        return client;
    }

    @Test
    void shouldCloseCleanlyWhenTheVifTapIsRemovedMidRun() throws InterruptedException
    {
        startPath();
        final Process flood = sandbox.spawn(guestNs, "ping", "-i", "0.01", "-W", "1", "-w", "20", HOST_IP);
        awaitTrafficThroughVif();
        sandbox.ip(hostNs, "link", "del", vifTap);
        assertTrue(path.awaitClosed(20, TimeUnit.SECONDS), "path did not close: " + describe());
        assertEquals(TapPath.State.CLOSED, path.state());
        assertTrue(path.closeReason().contains("vif TAP " + vifTap + " is gone"), path.closeReason());
        flood.destroy();
    }

    @Test
    void shouldCloseCleanlyWhenTheGuestTapIsRemoved() throws InterruptedException
    {
        startPath();
        sandbox.ip(guestNs, "link", "del", guestTap);
        // An idle guest TAP is noticed at its next read: a removed device reads EBADFD at once.
        assertTrue(path.awaitClosed(20, TimeUnit.SECONDS), "path did not close: " + describe());
        assertTrue(path.closeReason().contains("guest TAP " + guestTap + " is gone"), path.closeReason());
    }

    private void awaitTrafficThroughVif()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (path.vifEnd().framesToTap() < 3 && System.nanoTime() < deadline)
        {
            sleepQuietly(10);
        }
        assertTrue(path.vifEnd().framesToTap() >= 3, "no traffic reached the vif: " + describe());
    }

    private static void sleepQuietly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (int q = 0; q < path.queues(); q++)
        {
            text.append("queue ").append(q).append(": ").append(path.guestEnd(q)).append("; ")
                .append(path.vifEnd(q)).append("; front ").append(path.front(q)).append("; back ")
                .append(path.back(q)).append("; ");
        }
        return text + "state " + path.state() + " " + path.closeReason();
    }
}
