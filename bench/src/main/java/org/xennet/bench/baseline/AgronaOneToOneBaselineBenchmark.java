package org.xennet.bench.baseline;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.bench.IdleStrategies;
import org.xennet.bench.MessageCounters;
import org.xennet.bench.SpinCounters;

/**
 * Peer baseline: the netif round trip over two Agrona {@link OneToOneRingBuffer}s (requests one way, responses
 * the other), 16-byte messages, the same thread shape and batch sizes as {@code NetifTxRingRoundTripBenchmark}.
 *
 * <p>The front claims and commits {@code batch} requests, then waits until all their responses came back; the
 * back answers every request it reads. Score: the {@code messages} counter (round trips per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Group)
public class AgronaOneToOneBaselineBenchmark
{
    /** Message payload, as large as a netif TX request slot rounded up to 8 (id, status, gref, size). */
    public static final int MESSAGE_LENGTH = 16;

    /** Data capacity of each ring: 256 records of 8 header + 16 payload bytes fit, like the 256-slot ring. */
    public static final int CAPACITY = 8192;

    private static final int REQUEST_TYPE_ID = 1;
    private static final int RESPONSE_TYPE_ID = 2;
    private static final int ID_OFFSET = 0;
    private static final int STATUS_OFFSET = 4;
    private static final int GREF_OFFSET = 8;
    private static final int SIZE_OFFSET = 12;
    private static final int FRAME_SIZE = 60;

    /** Requests sent before waiting for their responses. */
    @Param({"1", "16", "64", "256"})
    public int batch;

    /** Wait policy of both sides (see {@link IdleStrategies}). */
    @Param({IdleStrategies.BACKOFF})
    public String idle;

    private RingBuffer requests;
    private RingBuffer responses;
    private FrontSide frontSide;
    private BackSide backSide;

    /**
     * Allocates both rings off-heap, cache-line aligned. Each side creates its own state on its first call, on its
     * own thread, so what one side writes never shares a cache line with what the other reads.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        requests = new OneToOneRingBuffer(newRingBuffer());
        responses = new OneToOneRingBuffer(newRingBuffer());
        frontSide = null;
        backSide = null;
    }

    /** Fails the trial (JMH reports it with {@code -foe true}) if any response came back wrong. */
    @TearDown(Level.Trial)
    public void checkResponses()
    {
        if (frontSide != null && frontSide.errors != 0)
        {
            throw new IllegalStateException("bad responses: errors=" + frontSide.errors);
        }
    }

    /**
     * Front side: send a batch of requests, then wait for all their responses.
     *
     * @param control  JMH control, to stop waiting when the iteration ends.
     * @param counters round trips completed.
     * @param spins    ring-full and poll-empty events.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void front(final Control control, final MessageCounters counters, final SpinCounters spins)
    {
        FrontSide side = frontSide;
        if (side == null)
        {
            side = new FrontSide(requests, responses, batch, IdleStrategies.create(idle));
            frontSide = side;
        }
        side.roundTrip(control, counters, spins);
    }

    /**
     * Back side: answer every request available, or wait one idle step.
     *
     * @param spins poll-empty and ring-full events.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void back(final SpinCounters spins)
    {
        BackSide side = backSide;
        if (side == null)
        {
            side = new BackSide(requests, responses, IdleStrategies.create(idle));
            backSide = side;
        }
        side.poll(spins);
    }

    private static UnsafeBuffer newRingBuffer()
    {
        final int length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(length, 64);
        return new UnsafeBuffer(memory);
    }

    /** The requesting half, touched by the front thread only; also the response handler. */
    static final class FrontSide implements MessageHandler
    {
        private final RingBuffer requests;
        private final RingBuffer responses;
        private final int batch;
        private final IdleStrategy idle;
        private int outstanding;
        int errors;

        FrontSide(final RingBuffer requests, final RingBuffer responses, final int batch, final IdleStrategy idle)
        {
            this.requests = requests;
            this.responses = responses;
            this.batch = batch;
            this.idle = idle;
        }

        void roundTrip(final Control control, final MessageCounters counters, final SpinCounters spins)
        {
            // finish a batch cut short at the end of the previous iteration before starting a new one
            if (outstanding > 0 && !awaitResponses(control, counters, spins))
            {
                return;
            }
            final RingBuffer requests = this.requests;
            final MutableDirectBuffer buffer = requests.buffer();
            for (int i = 0; i < batch; i++)
            {
                int index;
                while ((index = requests.tryClaim(REQUEST_TYPE_ID, MESSAGE_LENGTH)) < 0)
                {
                    spins.ringFull++;
                    if (control.stopMeasurement)
                    {
                        return;
                    }
                    idle.idle();
                }
                buffer.putInt(index + ID_OFFSET, i);
                buffer.putInt(index + STATUS_OFFSET, 0);
                buffer.putInt(index + GREF_OFFSET, 8 + i);
                buffer.putInt(index + SIZE_OFFSET, FRAME_SIZE);
                requests.commit(index);
                outstanding++;
            }
            idle.reset();
            awaitResponses(control, counters, spins);
        }

        private boolean awaitResponses(final Control control, final MessageCounters counters, final SpinCounters spins)
        {
            while (outstanding > 0)
            {
                final int received = responses.read(this, outstanding);
                if (received > 0)
                {
                    outstanding -= received;
                    counters.messages += received;
                    idle.reset();
                }
                else
                {
                    spins.pollEmpty++;
                    if (control.stopMeasurement)
                    {
                        return false;
                    }
                    idle.idle();
                }
            }
            return true;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            errors += buffer.getInt(index + STATUS_OFFSET) == 0 ? 0 : 1;
        }
    }

    /** The answering half, touched by the back thread only; also the request handler. */
    static final class BackSide implements MessageHandler
    {
        private final RingBuffer requests;
        private final RingBuffer responses;
        private final IdleStrategy idle;
        private SpinCounters spins;

        BackSide(final RingBuffer requests, final RingBuffer responses, final IdleStrategy idle)
        {
            this.requests = requests;
            this.responses = responses;
            this.idle = idle;
        }

        void poll(final SpinCounters spins)
        {
            this.spins = spins;
            if (requests.read(this) == 0)
            {
                spins.pollEmpty++;
                idle.idle();
            }
            else
            {
                idle.reset();
            }
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            // read the request once, then answer it in the response ring
            final int id = buffer.getInt(index + ID_OFFSET);
            final int size = buffer.getInt(index + SIZE_OFFSET);
            final RingBuffer responses = this.responses;
            int claimed;
            while ((claimed = responses.tryClaim(RESPONSE_TYPE_ID, MESSAGE_LENGTH)) < 0)
            {
                spins.ringFull++;
                idle.idle();
            }
            final MutableDirectBuffer out = responses.buffer();
            out.putInt(claimed + ID_OFFSET, id);
            out.putInt(claimed + STATUS_OFFSET, size > 0 ? 0 : -1);
            responses.commit(claimed);
        }
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(AgronaOneToOneBaselineBenchmark.class, args);
    }
}
