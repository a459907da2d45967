package org.xennet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.agrona.concurrent.IdleStrategy;
import org.xennet.cli.capture.PcapPrecision;
import org.xennet.cli.capture.PcapSink;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.shm.ShmBackend;
import org.xennet.core.shm.ShmClaimException;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFormatException;
import org.xennet.core.shm.ShmXenbusBackend;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.tap.TapDevice;
import org.xennet.tap.TapException;
import org.xennet.tap.TapResult;
import org.xennet.tap.TapVifEnd;
import org.xennet.xenstore.XenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code xennet backend --shm FILE}: a netback serving a shared device file for a frontend in another process, until
 * SIGINT/SIGTERM (then Closing, Closed, capture flushed, summary). With {@code --xenstore SOCKET} (or a socket
 * recorded in the file's header) the control plane is the xenbus handshake: this end does the toolstack step when
 * the vif does not exist yet and runs {@link XenbusNetBack} ({@code --behaviour modern|legacy}), printing every state
 * it switches to; without one it is the file's state words. With {@code --tap NAME} the vif is a Linux TAP device
 * ({@link TapVifEnd}): transmitted frames are written to it and frames read from it go to the frontend's rx ring; a
 * TAP that disappears closes the vif cleanly (Closing, Closed) and the command exits 1.
 */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    description = "Serve a shared device file as a netback (loopback, discard or capture) until interrupted.")
public final class BackendCommand implements Callable<Integer>
{
    /** What the backend does with transmitted packets. */
    enum Sink
    {
        /** Echo each packet into the same frontend's rx ring. */
        LOOPBACK,
        /** Drop each packet (answered DROPPED). */
        DISCARD,
        /** Accept each packet (answered OKAY) and only capture it (needs --pcap). */
        CAPTURE
    }

    @Mixin
    private ShmOptions shm;

    @Mixin
    private XenStoreOption xenStoreOption;

    @Option(names = "--behaviour", paramLabel = "B", defaultValue = "MODERN",
        description = "xenbus backend reset behaviour: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private XenbusNetBack.Behaviour behaviour;

    @Option(names = "--mac", paramLabel = "MAC", defaultValue = ShmXenbusBackend.DEFAULT_MAC,
        description = "The vif's MAC when this end creates it in xenstore (default: ${DEFAULT-VALUE}).")
    private String mac;

    @Option(names = "--sink", paramLabel = "SINK", defaultValue = "LOOPBACK",
        description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Sink sinkKind;

    @Mixin
    private TapOptions tapOptions;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every packet the backend sees to a pcap file.")
    private Path pcap;

    @Option(names = "--pcap-max-bytes", paramLabel = "BYTES", defaultValue = "1073741824",
        description = "Stop capturing when the pcap file would exceed this size (default: ${DEFAULT-VALUE}).")
    private long pcapMaxBytes;

    @Option(names = "--pcap-precision", paramLabel = "P", defaultValue = "MICRO",
        description = "pcap timestamps: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private PcapPrecision precision;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private static final long INTACT_CHECK_NS = 10_000_000L;

    private volatile boolean running = true;
    private TapVifEnd vif;
    private boolean vifGone;
    private final CountDownLatch detached = new CountDownLatch(1);

    /**
     * Runs the backend until interrupted.
     *
     * @return 0 after a clean detach.
     * @throws Exception when the file cannot be opened or the capture cannot be created.
     */
    @Override
    public Integer call() throws Exception
    {
        if (sinkKind == Sink.CAPTURE && null == pcap)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sink CAPTURE needs --pcap FILE");
        }
        if (pcapMaxBytes < PcapSink.FILE_HEADER_LENGTH)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--pcap-max-bytes must be at least " +
                PcapSink.FILE_HEADER_LENGTH + ": " + pcapMaxBytes);
        }
        if (null != tapOptions.netns && !tapOptions.enabled())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--netns needs --tap NAME");
        }
        TapDevice tap = null;
        try
        {
            tap = tapOptions.enabled() ? tapOptions.open() : null;
        }
        catch (final TapException | IllegalArgumentException ex)
        {
            System.err.println("xennet backend: " + ex.getMessage());
            detached.countDown();
            return 2;
        }
        try (ShmDeviceFile file = shm.open(xenStoreOption.socket()))
        {
            vif = null == tap ? null : new TapVifEnd(tap);
            final int rc = serve(file);
            return vifGone ? 1 : rc;
        }
        catch (final ShmFormatException | ShmClaimException ex)
        {
            System.err.println("xennet backend: " + ex.getMessage());
            return 1;
        }
        catch (final FileTruncatedException ex)
        {
            System.err.println("xennet backend: " + ex.getMessage());
            return 1;
        }
        finally
        {
            if (null != tap)
            {
                tap.close();
            }
            detached.countDown(); // only now may a SIGTERM shutdown hook let the JVM halt
        }
    }

    private int serve(final ShmDeviceFile file) throws IOException
    {
        final PacketSink base = null != vif ? vif.sink() : sinkKind == Sink.DISCARD ? PacketSinks.discard() :
            sinkKind == Sink.CAPTURE ? (buffer, offset, length) -> PacketSink.ACCEPTED : null;
        final NetBack[] loopback = new NetBack[1];
        // The capture sits in front of a loopback whose backend exists only after the sink: resolve it late.
        final PacketSink echo = (buffer, offset, length) -> loopback[0].deliver(buffer, offset, length);
        final PcapSink capture = null == pcap ? null :
            new PcapSink(pcap, precision, PcapSink.DEFAULT_SNAP_LENGTH, pcapMaxBytes, null == base ? echo : base);
        final PacketSink sink = null != capture ? capture : base;
        final Path socket = ShmOptions.xenstoreSocket(xenStoreOption, file);
        final String where = "backend: serving " + file.path() + " (grant v" + file.grantVersion() + ", sink " +
            (null != vif ? "TAP " + vif.tap() : sinkKind) + (null == pcap ? "" : ", capture " + pcap) + "), pid " +
            ProcessHandle.current().pid();
        if (null == socket)
        {
            final ShmBackend backend = new ShmBackend(file, sink);
            loopback[0] = backend.netBack();
            System.out.println(where + ", control plane: state words in the file");
            System.out.flush();
            final Agent agent =
                new Agent(withTap(backend::doWork, backend.netBack()), backend.netBack(), backend::connects,
                    backend::faults);
            runUntilStopped(agent, file, capture);
            backend.close();
            finish(agent, capture);
            return 0;
        }
        try (XenStore store = ShmOptions.connect(socket))
        {
            final XenbusStateListener states = (path, from, to) ->
            {
                System.out.println("backend: " + path + " " + from + " -> " + to);
                System.out.flush();
            };
            final ShmXenbusBackend backend =
                new ShmXenbusBackend(file, sink, store, shm.devid, mac, behaviour, states);
            loopback[0] = backend.netBack();
            System.out.println(where + ", control plane: xenstore " + socket + " (" + behaviour + ", " +
                (backend.createdVif() ? "vif created" : "vif found") + " at " + backend.backendPath() + ")");
            System.out.flush();
            final Agent agent =
                new Agent(withTap(backend::doWork, backend.netBack()), backend.netBack(), backend::connects,
                    backend::faults);
            runUntilStopped(agent, file, capture);
            backend.close();
            finish(agent, capture);
            return 0;
        }
    }

    /**
     * With a TAP vif, each duty cycle first moves frames from the TAP into the rx ring (so the backend's cycle
     * forwards their notification at once); a TAP that is gone stops the loop, which then closes the vif.
     */
    private IntSupplier withTap(final IntSupplier doWork, final NetBack back)
    {
        if (null == vif)
        {
            return doWork;
        }
        vif.attach(back);
        return () ->
        {
            final int fromTap = vif.pollTap(64);
            final int work = doWork.getAsInt();
            if (fromTap == TapResult.GONE || vif.isGone())
            {
                if (!vifGone)
                {
                    vifGone = true;
                    System.out.println("backend: vif TAP " + vif.tap().name() + " is gone: closing the vif");
                    System.out.flush();
                }
                running = false;
                return work;
            }
            return work + fromTap;
        };
    }

    /** The device file was truncated (or replaced) under the mapping: nothing more may touch it. */
    static final class FileTruncatedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        FileTruncatedException(final String message, final Throwable cause)
        {
            super(message, cause, false, false);
        }
    }

    /** What the loop and the summary need of either backend. */
    private record Agent(IntSupplier doWork, NetBack netBack, LongSupplier connects, LongSupplier faults)
    {
    }

    private void finish(final Agent backend, final PcapSink capture) throws IOException
    {
        if (null != capture)
        {
            capture.close();
        }
        printSummary(backend, capture);
    }

    /**
     * Runs the duty cycle until SIGINT/SIGTERM. The file's length is checked every {@link #INTACT_CHECK_NS} (a page
     * beyond a truncated end faults on access) and the fault itself, which the JVM raises as an
     * {@link InternalError} from the unsafe access, is caught: either way the backend stops without touching the
     * mapping again, flushes its capture and exits with a clear message.
     */
    private void runUntilStopped(final Agent backend, final ShmDeviceFile file, final PcapSink capture)
        throws IOException
    {
        try
        {
            loop(backend, file);
        }
        catch (final InternalError ex)
        {
            truncated(file, capture, ex);
        }
        if (!file.intact())
        {
            truncated(file, capture, null);
        }
    }

    private static void truncated(final ShmDeviceFile file, final PcapSink capture, final Throwable cause)
        throws IOException
    {
        if (null != capture)
        {
            capture.close();
        }
        throw new FileTruncatedException("shared device file truncated or replaced while mapped: file=" +
            file.path() + ", length at attach=" + file.length() + "; stopped without touching it", cause);
    }

    private void loop(final Agent backend, final ShmDeviceFile file)
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            running = false; // SIGINT/SIGTERM: let the loop finish its cycle, then detach cleanly
            try
            {
                detached.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "backend-shutdown"));
        final IdleStrategy idle = shm.idleMode.newIdleStrategy();
        long nextProgress = System.nanoTime() + 1_000_000_000L;
        long nextIntactCheck = System.nanoTime() + INTACT_CHECK_NS;
        long lastPackets = 0;
        while (running)
        {
            if (System.nanoTime() - nextIntactCheck > 0)
            {
                if (!file.intact())
                {
                    return;
                }
                nextIntactCheck = System.nanoTime() + INTACT_CHECK_NS;
            }
            idle.idle(backend.doWork().getAsInt());
            if (System.nanoTime() - nextProgress > 0)
            {
                final NetBack back = backend.netBack();
                final long packets = back.txPackets() + back.txDroppedResponses();
                System.out.println("backend: " + back.state() + ", tx " + back.txPackets() + " ok " +
                    back.txDroppedResponses() + " dropped, rx " + back.rxPackets() + " (" +
                    (packets - lastPackets) + " pkt/s)");
                System.out.flush();
                lastPackets = packets;
                nextProgress = System.nanoTime() + 1_000_000_000L;
            }
        }
    }

    private void printSummary(final Agent backend, final PcapSink capture)
    {
        final NetBack back = backend.netBack();
        System.out.println("backend summary: connects " + backend.connects().getAsLong() + ", faults " +
            backend.faults().getAsLong() +
            ", tx packets " + back.txPackets() + ", tx bytes " + back.txBytes() + ", tx dropped " +
            back.txDroppedResponses() + ", tx errors " + back.txErrorResponses() + ", rx packets " + back.rxPackets() +
            (null == vif ? "" : ", " + vif) +
            (null == capture ? "" : ", captured " + capture.packets() +
            (capture.notCaptured() == 0 ? "" : " (" + capture.notCaptured() + " not captured: --pcap-max-bytes)") +
            (null == capture.failure() ? "" : " (capture failed: " + capture.failure().getMessage() + ")")));
        System.out.println("backend: Closed");
        System.out.flush();
    }
}
