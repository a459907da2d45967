package org.xennet.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.xennet.core.device.GuestDomain;
import org.xennet.core.device.HypervisorGrantVersion;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.XenbusNetFront;
import org.xennet.core.xenbus.VifToolstack;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.grant.GrantConstants;
import org.xennet.xenstore.XenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code xennet handshake}: one vif's xenbus life, printing every state each end writes: the toolstack creates
 * the directories, the backend probes, the frontend opens (reset, keys, Connected), packets go both ways, the
 * frontend "reboots" uncleanly (state left Connected, rings abandoned) and a new instance resets and reconnects,
 * packets again, close; then the leak check. Over an embedded store or {@code --xenstore SOCKET}.
 */
@Command(
    name = "handshake",
    mixinStandardHelpOptions = true,
    description = "Run a vif's xenbus handshake, an unclean reboot and reset, and print each end's state changes.")
public final class HandshakeCommand implements Callable<Integer>
{
    /** The backend domain. */
    public static final int BACKEND_DOMID = 0;
    /** The guest. */
    public static final int FRONTEND_DOMID = 1;
    /** The MAC the toolstack gives the vif. */
    public static final String MAC = "00:16:3e:00:00:01";

    private static final int RX_BUFFERS = 32;
    private static final int IDS = 16;
    private static final int APP_OFFSET = (RX_BUFFERS + 1) * 4096;

    @Mixin
    private XenStoreOption xenStoreOption;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--backend", paramLabel = "modern|legacy", defaultValue = "modern",
        description = "Backend behaviour on a frontend going back to Initialising (default: ${DEFAULT-VALUE}).")
    private String backend;

    @Option(names = "--hypervisor-grant-version", paramLabel = "H", defaultValue = "modern",
        description = "What the hypervisor offers the guest's grant table: modern, v2-locked, v2-only, v1-only; the " +
            "guest asks for v1 and uses what is reported (default: ${DEFAULT-VALUE}).")
    private String hypervisorGrantVersion;

    @Option(names = "--single-event-channel",
        description = "The frontend publishes one event-channel even when the backend offers split channels.")
    private boolean singleEventChannel;

    @Option(names = "--packets", paramLabel = "N", defaultValue = "3",
        description = "Packets each way per connection (default: ${DEFAULT-VALUE}).")
    private int packets;

    @Option(names = "--devid", paramLabel = "ID", defaultValue = "0",
        description = "Device id of the vif (default: ${DEFAULT-VALUE}).")
    private int devid;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "5000",
        description = "Deadline of each wait for the backend (default: ${DEFAULT-VALUE}).")
    private long timeoutMs;

    /**
     * Runs the scenario.
     *
     * @return 0 when every step worked and nothing leaked, 1 otherwise.
     */
    @Override
    public Integer call()
    {
        final XenbusNetBack.Behaviour behaviour = parseBehaviour();
        final HypervisorGrantVersion hypervisor;
        try
        {
            hypervisor = HypervisorGrantVersion.parse(hypervisorGrantVersion);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + ex.getMessage());
        }
        if (packets < 0 || packets > 1000 || timeoutMs < 1 || devid < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "bad value: packets=" + packets +
                ", timeoutMs=" + timeoutMs + ", devid=" + devid);
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (XenStore store = xenStoreOption.open())
        {
            return run(store, behaviour, hypervisor, out) ? 0 : 1;
        }
        catch (final RuntimeException ex)
        {
            out.println("handshake failed: " + ex.getMessage());
            out.flush();
            return 1;
        }
    }

    private XenbusNetBack.Behaviour parseBehaviour()
    {
        try
        {
            return XenbusNetBack.Behaviour.valueOf(backend.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--backend must be modern or legacy: " +
                "backend=" + backend);
        }
    }

    private boolean run(
        final XenStore store,
        final XenbusNetBack.Behaviour behaviour,
        final HypervisorGrantVersion hypervisor,
        final PrintWriter out)
    {
        final long start = System.nanoTime();
        final XenbusStateListener listener = (path, from, to) ->
        {
            synchronized (out)
            {
                out.printf("%6.1f ms  %-8s %-36s %s -> %s%n", (System.nanoTime() - start) / 1e6,
                    path.contains("/backend/") ? "backend" : "frontend", path, from, to);
                out.flush();
            }
        };
        final Duration timeout = Duration.ofMillis(timeoutMs);
        final HypervisorGrantVersion.Choice choice =
            hypervisor.createGrantTable(GrantConstants.NR_RESERVED_ENTRIES + 2 + 2 * IDS + 2 * RX_BUFFERS);
        out.printf("grant table v%d chosen at run time (ask for v1, use what is reported): %s%n",
            choice.version(), choice.reason());
        final GuestDomain guest = GuestDomain.create(FRONTEND_DOMID, choice, RX_BUFFERS + 8, 0x10_0000, 2, 0x1000);
        final NetFront front = new NetFront(new NetFrontConfig()
            .frontendDomid(FRONTEND_DOMID).backendDomid(BACKEND_DOMID).txIds(IDS).rxIds(RX_BUFFERS)
            .rxBufferFirstPage(0).rxBufferCount(RX_BUFFERS).txBufferFirstPage(RX_BUFFERS).txBufferCount(0)
            .singleEventChannel(singleEventChannel),
            guest.memory(), guest.ringMemory(), guest.grantTable(), guest.allocator());
        final long[] sunk = new long[1];
        final NetBack back = new NetBack(BACKEND_DOMID, guest.grantTable(), guest.memory(),
            (buffer, offset, length) ->
            {
                sunk[0]++;
                return PacketSink.ACCEPTED;
            });
        final EventChannelRegistry registry = new EventChannelRegistry();

        final VifToolstack.Vif vif = VifToolstack.create(store, BACKEND_DOMID, FRONTEND_DOMID, devid, MAC);
        out.println("toolstack: " + vif.frontendPath() + " and " + vif.backendPath() + " (mac " + MAC + ", " +
            "backend " + behaviour.name().toLowerCase(Locale.ROOT) + ")");
        try (XenbusNetBack xenbusBack = new XenbusNetBack(
            store, vif.backendPath(), back, guest.ringMemory(), registry, behaviour, listener))
        {
            xenbusBack.start();
            out.println("frontend: open");
            final XenbusNetFront first = new XenbusNetFront(
                store, vif.frontendPath(), front, registry, timeout, listener);
            first.open();
            out.println("packets: " + exchange(front, back, guest.memory().buffer(), sunk) + " each way");

            out.println("frontend: unclean reboot (state left " + first.frontendState() + ", rings abandoned)");
            front.transmit(APP_OFFSET, 60); // in flight when the guest goes down
            final XenbusNetFront rebooted = new XenbusNetFront(
                store, vif.frontendPath(), front, registry, timeout, listener);
            out.println("frontend: open after reboot");
            rebooted.open();
            out.println("packets: " + exchange(front, back, guest.memory().buffer(), sunk) + " each way");

            out.println("frontend: close");
            rebooted.close();
            final boolean clean = guest.allocator().used() == 0 && front.deferredGrants() == 0 &&
                registry.size() == 0 && back.state() == NetBack.State.CLOSED && rebooted.linkError() == null &&
                xenbusBack.state() == XenbusState.INIT_WAIT;
            out.println("after close: grant refs in use=" + guest.allocator().used() + ", deferred grants=" +
                front.deferredGrants() + ", event channel ends=" + registry.size() + ", backend rings=" +
                back.state() + ", backend state=" + xenbusBack.state() + ", connects=" + xenbusBack.connects() +
                (rebooted.linkError() == null ? "" : ", link error=" + rebooted.linkError().getMessage()));
            xenbusBack.close(); // unplug the backend driver before the toolstack removes the directories
            VifToolstack.destroy(store, vif);
            out.flush();
            return clean;
        }
    }

    /** Sends {@link #packets} packets each way; returns how many made it both ways. */
    private int exchange(final NetFront front, final NetBack back, final MutableDirectBuffer memory, final long[] sunk)
    {
        front.refillRx();
        final ExpandableArrayBuffer packet = new ExpandableArrayBuffer(2048);
        final int[] received = new int[1];
        int both = 0;
        for (int i = 0; i < packets; i++)
        {
            final int length = 60 + 100 * i % 1400;
            memory.setMemory(APP_OFFSET, length, (byte)i);
            final long before = sunk[0];
            if (front.transmit(APP_OFFSET, length) <= 0 || back.pollTx(16) < 1 || sunk[0] != before + 1)
            {
                continue;
            }
            front.pollTx((offset, len, status) -> { }, 16);
            packet.setMemory(0, length, (byte)~i);
            received[0] = 0;
            if (back.deliver(packet, 0, length) == PacketSink.ACCEPTED)
            {
                front.pollRx((DirectBuffer buffer, int offset, int len) -> received[0]++, 16);
                front.refillRx();
            }
            both += received[0];
        }
        return both;
    }
}
