package org.xennet.bench.throughput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.bench.IdleStrategies;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.shm.ShmBackend;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.core.shm.ShmFrontend;

/**
 * The tx path over a shared device file: a {@link ShmFrontend} transmits 64-byte packets to a discarding
 * {@link ShmBackend} that runs either on a thread of this JVM ({@code inProcess}) or in a second JVM
 * ({@code crossProcess}, {@code xennet backend --sink discard}). Same file, same code, same handshake: the
 * difference is the process boundary. Score: packets per second (each answered by the backend).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Thread)
public class ShmTxPathBenchmark
{
    private static final int PACKET_LENGTH = 64;
    private static final int BATCH = 64;

    /** Where the backend runs: {@code inProcess} (a thread) or {@code crossProcess} (a second JVM). */
    @Param({"inProcess", "crossProcess"})
    public String mode;

    /** Wait policy of both ends (see {@link IdleStrategies}). */
    @Param({IdleStrategies.BACKOFF})
    public String idle;

    private Path path;
    private ShmDeviceFile frontFile;
    private ShmDeviceFile backFile;
    private ShmFrontend frontend;
    private Thread backendThread;
    private Process backendProcess;
    private volatile boolean running;
    private IdleStrategy frontIdle;
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[PACKET_LENGTH]);

    /**
     * Creates the file, starts the backend (thread or JVM) and connects the frontend.
     *
     * @throws IOException when the file or the process cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        path = Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"),
            "xennet-bench-" + UUID.randomUUID());
        frontFile = ShmDeviceFile.create(path, ShmFileConfig.defaults(1));
        running = true;
        if ("inProcess".equals(mode))
        {
            backFile = ShmDeviceFile.attach(path);
            final ShmBackend backend = new ShmBackend(backFile, PacketSinks.discard());
            final IdleStrategy backIdle = IdleStrategies.create(idle);
            backendThread = new Thread(() ->
            {
                while (running)
                {
                    backIdle.idle(backend.doWork());
                }
                backend.close();
            }, "shm-backend");
            backendThread.start();
        }
        else if ("crossProcess".equals(mode))
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            backendProcess = new ProcessBuilder(List.of(
                java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Dagrona.disable.bounds.checks=true", "-cp", System.getProperty("java.class.path"),
                ShmBackendProcess.class.getName(), path.toString(), idle))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        else
        {
            throw new IllegalArgumentException("unknown mode: mode=" + mode);
        }
        frontIdle = IdleStrategies.create(idle);
        frontend = new ShmFrontend(frontFile, new Discard(), 10_000);
        final int rc = frontend.connect(frontIdle, 60_000);
        if (rc != NetFrontResult.OK)
        {
            throw new IllegalStateException("backend did not connect: " + NetFrontResult.resultString(rc));
        }
    }

    /**
     * Stops the backend, closes both ends and deletes the file.
     *
     * @throws Exception when the backend does not stop.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        frontend.close();
        running = false;
        if (null != backendThread)
        {
            backendThread.join();
            backFile.close();
        }
        if (null != backendProcess)
        {
            backendProcess.destroy(); // SIGTERM: clean detach
            if (!backendProcess.waitFor(10, TimeUnit.SECONDS))
            {
                backendProcess.destroyForcibly();
            }
        }
        frontFile.close();
        Files.deleteIfExists(path);
    }

    /**
     * Transmits a batch of packets and waits until the backend has answered all of them.
     *
     * @return packets in flight after the batch (0), so JMH keeps the work.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long txBatch()
    {
        int sent = 0;
        while (sent < BATCH)
        {
            if (frontend.offer(packet, 0, PACKET_LENGTH) > 0)
            {
                sent++;
            }
            else
            {
                frontIdle.idle(frontend.doWork());
            }
        }
        frontIdle.reset();
        while (frontend.inFlight() > 0)
        {
            frontIdle.idle(frontend.doWork());
        }
        return frontend.inFlight();
    }

    /** Ignores completions and packets: the discard backend answers DROPPED and delivers nothing. */
    private static final class Discard implements ShmFrontend.Listener
    {
        @Override
        public void onTxComplete(final int offset, final int length, final int status)
        {
        }

        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
        }

        @Override
        public void onReset(final int inFlightFailed)
        {
            throw new IllegalStateException("backend lost during the benchmark: inFlight=" + inFlightFailed);
        }
    }

    /**
     * Runs this benchmark alone.
     *
     * @param args JMH options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(ShmTxPathBenchmark.class, args);
    }
}
