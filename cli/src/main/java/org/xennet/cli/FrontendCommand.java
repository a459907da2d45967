package org.xennet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFormatException;
import org.xennet.core.shm.ShmFrontend;
import org.xennet.core.shm.ShmPacketStream;
import org.xennet.core.xenbus.XenbusStateListener;
import org.xennet.tap.TapDevice;
import org.xennet.tap.TapException;
import org.xennet.tap.TapGuestEnd;
import org.xennet.tap.TapResult;
import org.xennet.xenstore.XenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code xennet frontend --shm FILE}: a netfront that connects to a backend process through a shared device file,
 * sends a checkable packet stream, verifies echoes, survives backend restarts, and prints a summary. SIGINT/SIGTERM
 * stop the stream and detach cleanly (Closing, Closed). With {@code --xenstore SOCKET} (or a socket recorded in the
 * file's header) the control plane is the xenbus handshake ({@code XenbusNetFront}, every state printed); without
 * one it is the file's state words. With {@code --tap NAME} there is no stream: the frontend is the guest's
 * {@code eth0}, a Linux TAP device ({@link TapGuestEnd}) whose frames it transmits and to which it writes every
 * frame it receives, until interrupted or the TAP disappears (then it detaches cleanly and exits 1).
 */
@Command(
    name = "frontend",
    mixinStandardHelpOptions = true,
    description = "Send a packet stream through a shared device file to a backend process.")
public final class FrontendCommand implements Callable<Integer>
{
    @Mixin
    private ShmOptions shm;

    @Mixin
    private XenStoreOption xenStoreOption;

    @Option(names = "--xenbus-timeout-ms", paramLabel = "MS", defaultValue = "5000",
        description = "Longest xenbus wait for one backend state (default: ${DEFAULT-VALUE}).")
    private long xenbusTimeoutMs;

    @Mixin
    private TapOptions tapOptions;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1000000",
        description = "Packets to send (default: ${DEFAULT-VALUE}).")
    private long count;

    @Option(names = "--min-length", paramLabel = "BYTES", defaultValue = "60",
        description = "Smallest packet (default: ${DEFAULT-VALUE}).")
    private int minLength;

    @Option(names = "--max-length", paramLabel = "BYTES", defaultValue = "1514",
        description = "Largest packet, at most 12288 (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Option(names = "--expect-echo", description = "Fail unless every packet answered OKAY comes back (loopback).")
    private boolean expectEcho;

    @Option(names = "--response-timeout-ms", paramLabel = "MS", defaultValue = "1000",
        description = "Reset when packets wait longer for an answer (default: ${DEFAULT-VALUE}).")
    private long responseTimeoutMs;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS", defaultValue = "30000",
        description = "Longest wait for a backend, at start and after a reset (default: ${DEFAULT-VALUE}).")
    private long connectTimeoutMs;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the stream.
     *
     * @return 0 when every packet is accounted for and every echo is intact, 1 otherwise.
     * @throws Exception when the file cannot be opened.
     */
    @Override
    public Integer call() throws Exception
    {
        if (null != tapOptions.netns && !tapOptions.enabled())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--netns needs --tap NAME");
        }
        if (tapOptions.enabled())
        {
            return callWithTap();
        }
        final ShmPacketStream stream;
        try
        {
            stream = new ShmPacketStream(count, minLength, maxLength);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        try (ShmDeviceFile file = shm.open(xenStoreOption.socket()))
        {
            final Path socket = ShmOptions.xenstoreSocket(xenStoreOption, file);
            if (null == socket)
            {
                System.out.println("frontend: control plane: state words in the file");
                return runWith(file, new ShmFrontend(file, new ReportingListener(stream), responseTimeoutMs), stream);
            }
            try (XenStore store = ShmOptions.connect(socket))
            {
                System.out.println("frontend: control plane: xenstore " + socket);
                final XenbusStateListener states = (path, from, to) ->
                {
                    System.out.println("frontend: " + path + " " + from + " -> " + to);
                    System.out.flush();
                };
                return runWith(file, ShmFrontend.overXenbus(file, new ReportingListener(stream), responseTimeoutMs,
                    store, shm.devid, Duration.ofMillis(xenbusTimeoutMs), states), stream);
            }
        }
        catch (final ShmFormatException ex)
        {
            System.err.println("xennet frontend: " + ex.getMessage());
            return 1;
        }
    }

    private int runWith(final ShmDeviceFile file, final ShmFrontend frontend, final ShmPacketStream stream)
    {
        final CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stream.stop(); // SIGINT/SIGTERM: stop sending, then detach cleanly below
            awaitQuietly(done);
        }, "frontend-shutdown"));
        try
        {
            return run(file, frontend, stream);
        }
        finally
        {
            frontend.close();
            System.out.println("frontend: Closed");
            System.out.flush();
            done.countDown();
        }
    }

    private int run(final ShmDeviceFile file, final ShmFrontend frontend, final ShmPacketStream stream)
    {
        final IdleStrategy idle = shm.idleMode.newIdleStrategy();
        System.out.println("frontend: waiting for a backend on " + file.path() + " (grant v" + file.grantVersion() +
            ")");
        System.out.flush();
        final int connected = frontend.connect(idle, connectTimeoutMs);
        if (connected != NetFrontResult.OK)
        {
            System.out.println("frontend: no backend: " + NetFrontResult.resultString(connected) +
                (null == frontend.lastXenbusError() ? "" : " (" + frontend.lastXenbusError().getMessage() + ")"));
            return 1;
        }
        System.out.println(null != frontend.xenbusFront() ? "frontend: Connected through xenbus" :
            "frontend: Connected at generation " + file.generation());
        System.out.flush();
        final long start = System.nanoTime();
        final int rc = stream.run(frontend, idle, expectEcho, connectTimeoutMs, () ->
        {
            System.out.println("frontend: " + stream + ", resets " + frontend.resets());
            System.out.flush();
        });
        final double seconds = (System.nanoTime() - start) / 1e9;
        final String problem = stream.verify(expectEcho);
        System.out.printf("frontend summary: %s, resets %d, %.2f s, %.0f pkt/s%n", stream, frontend.resets(), seconds,
            stream.sent() / Math.max(seconds, 1e-9));
        if (rc != NetFrontResult.OK)
        {
            System.out.println("frontend: stopped: " + NetFrontResult.resultString(rc));
            return 1;
        }
        if (null != problem)
        {
            System.out.println("frontend: FAILED: " + problem);
            return 1;
        }
        return stream.stopped() && stream.sent() < count ? 1 : 0;
    }

    private volatile boolean tapStopped;

    /** The guest's eth0 is a TAP: frames flow between it and the netfront until SIGINT/SIGTERM or the TAP goes. */
    private int callWithTap() throws Exception
    {
        final TapDevice tap;
        try
        {
            tap = tapOptions.open();
        }
        catch (final TapException | IllegalArgumentException ex)
        {
            System.err.println("xennet frontend: " + ex.getMessage());
            return 2;
        }
        final TapGuestEnd guest = new TapGuestEnd(tap);
        final ShmFrontend.Listener listener = new ShmFrontend.Listener()
        {
            @Override
            public void onTxComplete(final int offset, final int length, final int status)
            {
            }

            @Override
            public void onPacket(final DirectBuffer buffer, final int offset, final int length)
            {
                guest.onPacket(buffer, offset, length);
            }

            @Override
            public void onReset(final int inFlightFailed)
            {
                System.out.println("frontend: backend lost: reset, " + inFlightFailed +
                    " frames in flight failed; waiting for a backend");
                System.out.flush();
            }
        };
        try (ShmDeviceFile file = shm.open(xenStoreOption.socket()))
        {
            final Path socket = ShmOptions.xenstoreSocket(xenStoreOption, file);
            if (null == socket)
            {
                return runTap(file, new ShmFrontend(file, listener, responseTimeoutMs), guest);
            }
            try (XenStore store = ShmOptions.connect(socket))
            {
                return runTap(file, ShmFrontend.overXenbus(file, listener, responseTimeoutMs, store, shm.devid,
                    Duration.ofMillis(xenbusTimeoutMs), XenbusStateListener.NONE), guest);
            }
        }
        catch (final ShmFormatException ex)
        {
            System.err.println("xennet frontend: " + ex.getMessage());
            return 1;
        }
        finally
        {
            tap.close();
        }
    }

    private int runTap(final ShmDeviceFile file, final ShmFrontend frontend, final TapGuestEnd guest)
    {
        final CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            tapStopped = true;
            awaitQuietly(done);
        }, "frontend-shutdown"));
        final IdleStrategy idle = shm.idleMode.newIdleStrategy();
        try
        {
            System.out.println("frontend: TAP " + guest.tap() + ", waiting for a backend on " + file.path());
            System.out.flush();
            if (frontend.connect(idle, connectTimeoutMs) != NetFrontResult.OK)
            {
                System.out.println("frontend: no backend");
                return 1;
            }
            guest.transmitter((buffer, offset, length, offload) -> frontend.offer(buffer, offset, length));
            System.out.println("frontend: Connected; frames flow between TAP " + guest.tap().name() + " and the rings");
            System.out.flush();
            long nextProgress = System.nanoTime() + 1_000_000_000L;
            while (!tapStopped)
            {
                if (frontend.backendLost() && frontend.reset(idle, connectTimeoutMs) != NetFrontResult.OK)
                {
                    System.out.println("frontend: no backend after a reset");
                    return 1;
                }
                final int fromTap = guest.pollTap(64);
                if (fromTap == TapResult.GONE || guest.isGone())
                {
                    System.out.println("frontend: TAP " + guest.tap().name() + " is gone: detaching");
                    return 1;
                }
                final int work = Math.max(0, frontend.doWork());
                if (System.nanoTime() - nextProgress >= 0)
                {
                    System.out.println("frontend: " + guest);
                    System.out.flush();
                    nextProgress = System.nanoTime() + 1_000_000_000L;
                }
                idle.idle(work + fromTap);
            }
            return 0;
        }
        finally
        {
            frontend.close();
            System.out.println("frontend summary: " + guest + ", resets " + frontend.resets());
            System.out.println("frontend: Closed");
            System.out.flush();
            done.countDown();
        }
    }

    /** Hands everything to the stream and says when the frontend resets (a cold path). */
    private static final class ReportingListener implements ShmFrontend.Listener
    {
        private final ShmPacketStream stream;

        ReportingListener(final ShmPacketStream stream)
        {
            this.stream = stream;
        }

        @Override
        public void onTxComplete(final int offset, final int length, final int status)
        {
            stream.onTxComplete(offset, length, status);
        }

        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            stream.onPacket(buffer, offset, length);
        }

        @Override
        public void onReset(final int inFlightFailed)
        {
            stream.onReset(inFlightFailed);
            System.out.println("frontend: backend lost: reset (Closing, Closed), " + inFlightFailed +
                " packets in flight failed; waiting for a backend");
            System.out.flush();
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
