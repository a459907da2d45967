package org.xennet.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.cli.capture.PcapPrecision;
import org.xennet.cli.capture.PcapSink;
import org.xennet.core.device.HypervisorGrantVersion;
import org.xennet.core.device.Loopback;
import org.xennet.core.device.XenbusNetDevice;
import org.xennet.core.event.EventChannelRegistry;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.xenstore.XenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code xennet demo}: a loopback exchange, guest A's netfront through netback into guest B's netfront, on one
 * thread; prints what moved, every result by name, and the grant refs still in use after close.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Run a loopback netfront -> netback -> netfront exchange in process and print what it moved:",
        "packets, bytes, transmit and refill results by name, grant refs still in use after close.",
        "--grant-version 1 --first-frame 0x100000000 places guest pages beyond a v1 grant table's reach:",
        "every transmit and refill then fails cleanly with FRAME_OUT_OF_RANGE and nothing leaks.",
        "Both vifs are plugged in through xenstore (embedded, or --xenstore SOCKET) and opened and closed with the",
        "xenbus handshake; every state either end switches to is printed."})
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--packets", paramLabel = "N", description = "packets to transmit (default ${DEFAULT-VALUE})")
    private int packets = 10_000;

    @Option(names = "--grant-version", paramLabel = "V",
        description = "grant table version, 1 or 2 (default ${DEFAULT-VALUE})")
    private int grantVersion = 1;

    @Option(names = "--hypervisor-grant-version", paramLabel = "H",
        description = "what the hypervisor offers: modern (v1 settable), v2-locked (v2 with grants already active), " +
            "v2-only (set_version refused), v1-only (old); the guest asks for v1 and uses what is reported " +
            "(default: modern, or v2-only with --grant-version 2)")
    private String hypervisorGrantVersion;

    @Option(names = "--first-frame", paramLabel = "FRAME", converter = FrameConverter.class,
        description = "frame number of the first guest page, decimal or 0x hex (default 0x100000)")
    private long firstFrame = 0x10_0000;

    @Option(names = "--seed", paramLabel = "SEED", description = "seed of the packet sizes (default ${DEFAULT-VALUE})")
    private long seed = 42;

    @Option(names = "--pcap", paramLabel = "FILE", description = "write every packet A's backend sees to a pcap file")
    private java.nio.file.Path pcap;

    @Option(names = "--pcap-precision", paramLabel = "P", defaultValue = "MICRO",
        description = "pcap timestamps: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    private PcapPrecision pcapPrecision;

    @Option(names = "--backend", paramLabel = "modern|legacy",
        description = "backend behaviour on a frontend going back to Initialising (default ${DEFAULT-VALUE})")
    private String backend = "modern";

    @Mixin
    private XenStoreOption xenStoreOption;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private HypervisorGrantVersion hypervisor;
    private final Map<String, Long> transmitResults = new TreeMap<>();
    private final Map<String, Long> refillResults = new TreeMap<>();
    private long receivedPackets;
    private long receivedBytes;

    @Override
    public Integer call() throws java.io.IOException
    {
        validate();
        final XenbusNetBack.Behaviour behaviour = XenbusNetBack.Behaviour.valueOf(backend.toUpperCase(Locale.ROOT));
        final PrintWriter out = spec.commandLine().getOut();
        final PacketSink[] delivery = new PacketSink[1];
        final PcapSink capture = null == pcap ? null : new PcapSink(pcap, pcapPrecision, PcapSink.DEFAULT_SNAP_LENGTH,
            (buffer, offset, length) -> delivery[0].onPacket(buffer, offset, length));
        final Loopback loopback = new Loopback(hypervisor, firstFrame, 0x1000, sink ->
        {
            delivery[0] = sink; // the capture sees each packet, then hands it on to B
            return null == capture ? sink : capture;
        });
        out.printf("xennet demo: grant v%d, guest pages from frame 0x%x, ring pages from frame 0x1000%n",
            loopback.grantChoice().version(), firstFrame);
        out.printf("grant table v%d chosen at run time (ask for v1, use what is reported): %s%n",
            loopback.grantChoice().version(), loopback.grantChoice().reason());
        try (XenStore store = xenStoreOption.open())
        {
            final long start = System.nanoTime();
            final XenbusStateListener listener = (path, from, to) ->
            {
                synchronized (out)
                {
                    out.printf("%7.1f ms  %-36s %s -> %s%n", (System.nanoTime() - start) / 1e6, path, from, to);
                    out.flush();
                }
            };
            final EventChannelRegistry registry = new EventChannelRegistry();
            final Duration timeout = Duration.ofSeconds(5);
            out.println("xenbus: " + (xenStoreOption.socket() == null ? "embedded xenstore" :
                "xenstored at " + xenStoreOption.socket()) + ", " + backend + " backend");
            final XenbusNetDevice vifB = new XenbusNetDevice(
                store, loopback.b(), 0, "00:16:3e:00:00:02", registry, behaviour, timeout, listener);
            final XenbusNetDevice vifA = new XenbusNetDevice(
                store, loopback.a(), 0, "00:16:3e:00:00:01", registry, behaviour, timeout, listener);
            try
            {
                vifB.open(); // the receiver is ready before the sender, as Loopback.open()
                vifA.open();
                exchange(loopback, out);
            }
            finally
            {
                vifA.unplug();
                vifB.unplug();
            }
        }
        catch (final RuntimeException ex)
        {
            out.println("xenbus failed: " + ex.getMessage());
            closeCapture(capture, out);
            out.flush();
            return 1;
        }
        final int refsA = loopback.a().guest().allocator().used();
        final int refsB = loopback.b().guest().allocator().used();
        out.printf("grant refs in use after close: %d (A=%d, B=%d)%n", refsA + refsB, refsA, refsB);
        closeCapture(capture, out);
        out.flush();
        return refsA + refsB == 0 ? 0 : 1;
    }

    private void closeCapture(final PcapSink capture, final PrintWriter out)
    {
        if (null != capture)
        {
            capture.close(); // flushes
            out.printf("captured:    %d packets to %s%s%n", capture.packets(), pcap,
                null == capture.failure() ? "" : " (failed: " + capture.failure().getMessage() + ")");
        }
    }

    private void exchange(final Loopback loopback, final PrintWriter out)
    {
        final NetFront a = loopback.a().front();
        final NetFront b = loopback.b().front();
        final NetBack backA = loopback.a().back();
        run(a, b, backA);
        out.printf("transmitted: %d packets, %d bytes (answered OKAY)%n", a.txPackets(), a.txBytes());
        out.printf("backend:     %d packets, %d bytes copied; %d delivered%n",
            backA.txPackets(), backA.txBytes(), loopback.b().back().rxPackets());
        out.printf("received:    %d packets, %d bytes%n", receivedPackets, receivedBytes);
        out.println("transmit results: " + format(transmitResults));
        out.println("refill results:   " + format(refillResults));
        out.printf("errors: tx %d, tx dropped %d, rx %d, rx dropped %d; state A=%s B=%s%n",
            a.txErrors(), a.txDropped(), b.rxErrors(), b.rxDropped(), a.state(), b.state());
        out.flush();
    }

    private void validate()
    {
        if (grantVersion != 1 && grantVersion != 2)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--grant-version must be 1 or 2: grantVersion=" + grantVersion);
        }
        try
        {
            hypervisor = null != hypervisorGrantVersion ? HypervisorGrantVersion.parse(hypervisorGrantVersion) :
                grantVersion == 2 ? HypervisorGrantVersion.V2_ONLY : HypervisorGrantVersion.MODERN;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + ex.getMessage());
        }
        if (!"modern".equalsIgnoreCase(backend) && !"legacy".equalsIgnoreCase(backend))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--backend must be modern or legacy: backend=" + backend);
        }
        if (packets < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--packets must be positive: packets=" + packets);
        }
        if (firstFrame < 0 || firstFrame > 0xF_FFFF_FFFF_FFFFL)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--first-frame out of range: firstFrame=0x" + Long.toHexString(firstFrame));
        }
    }

    private void run(final NetFront a, final NetFront b, final NetBack backA)
    {
        final TxClaim claim = new TxClaim();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[9000]);
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int sent = 0;
        int stalls = 0;
        while (sent < packets && stalls < 1000)
        {
            final int length = random.nextInt(100) < 90 ? 60 + random.nextInt(1455) : 1515 + random.nextInt(7486);
            payload.putInt(0, sent);
            int rc = a.offer(payload, 0, length, claim);
            if (rc == NetFrontResult.RING_FULL || rc == NetFrontResult.NO_BUFFERS)
            {
                stalls = pump(a, b, backA) == 0 ? stalls + 1 : 0;
                continue; // retry the same packet
            }
            count(transmitResults, rc > 0 ? "OK" : NetFrontResult.resultString(rc));
            sent++;
            if ((sent & 15) == 0)
            {
                pump(a, b, backA);
            }
        }
        for (int i = 0; i < 1000 && a.txFreeIds() < NetFrontConfig.MAX_IDS && a.state() == NetFront.State.CONNECTED;
            i++)
        {
            pump(a, b, backA);
        }
        pump(a, b, backA);
    }

    private int pump(final NetFront a, final NetFront b, final NetBack backA)
    {
        final int refilled = b.refillRx();
        if (refilled != 0)
        {
            count(refillResults, refilled > 0 ? "OK" : NetFrontResult.resultString(refilled));
        }
        int work = Math.max(0, backA.pollTx(256));
        work += Math.max(0, a.pollTx(null, 256));
        work += Math.max(0, b.pollRx((buffer, offset, length) ->
        {
            receivedPackets++;
            receivedBytes += length;
        }, 256));
        return work;
    }

    private static void count(final Map<String, Long> results, final String name)
    {
        results.merge(name, 1L, Long::sum);
    }

    private static String format(final Map<String, Long> results)
    {
        if (results.isEmpty())
        {
            return "(none)";
        }
        final StringBuilder text = new StringBuilder();
        results.forEach((name, count) ->
            text.append(text.length() == 0 ? "" : ", ").append(name).append('=').append(count));
        return text.toString();
    }

    /** Parses decimal or {@code 0x} hexadecimal frame numbers. */
    static final class FrameConverter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return Long.decode(value);
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException("not a frame number: " + value);
            }
        }
    }
}
