package org.xennet.bench.baseline;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.SpscArrayQueue;
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
 * Peer baseline: JCTools {@link SpscArrayQueue} (capacity 256, preallocated elements), in two shapes.
 * <ul>
 *   <li>{@code roundTrip}: the netif round trip over two queues (requests one way, the same elements back as
 *   responses), the same thread shape and batch sizes as {@code NetifTxRingRoundTripBenchmark}.</li>
 *   <li>{@code oneWay}: a producer offering batches, a consumer polling: the ceiling of a one-directional
 *   hand-off, which a round trip (two directions, a wait per batch) cannot reach.</li>
 * </ul>
 * Score: the {@code messages} counter (round trips, or elements consumed, per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Group)
public class JctoolsSpscBaselineBenchmark
{
    /** Queue capacity, the netif ring's slot count. */
    public static final int CAPACITY = 256;

    private static final int FRAME_SIZE = 60;

    /** Requests sent before waiting for their responses (one-way: elements offered per invocation). */
    @Param({"1", "16", "64", "256"})
    public int batch;

    /** Wait policy of both sides (see {@link IdleStrategies}). */
    @Param({IdleStrategies.BACKOFF})
    public String idle;

    private SpscArrayQueue<Message> requests;
    private SpscArrayQueue<Message> responses;
    private Message[] pool;
    private FrontSide frontSide;
    private BackSide backSide;
    private ConsumerSide consumerSide;
    private IdleStrategy producerIdle;

    /** A preallocated message, mirroring a netif TX request and its response. */
    static final class Message
    {
        int id;
        int gref;
        int size;
        int status;
    }

    /**
     * Allocates the queues and every element up front: nothing is allocated while measuring. Each side creates
     * its own mutable state on its first call, on its own thread, so the sides share no written cache line
     * other than the queues' and the elements'.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        requests = new SpscArrayQueue<>(CAPACITY);
        responses = new SpscArrayQueue<>(CAPACITY);
        pool = new Message[CAPACITY];
        for (int i = 0; i < CAPACITY; i++)
        {
            final Message message = new Message();
            message.id = i;
            message.gref = 8 + i;
            message.size = FRAME_SIZE;
            pool[i] = message;
        }
        frontSide = null;
        backSide = null;
        consumerSide = null;
        producerIdle = null;
    }

    /** Fails the trial (JMH reports it with {@code -foe true}) if any element came back wrong. */
    @TearDown(Level.Trial)
    public void checkResponses()
    {
        final int errors =
            (frontSide == null ? 0 : frontSide.errors) + (consumerSide == null ? 0 : consumerSide.errors);
        if (errors != 0)
        {
            throw new IllegalStateException("bad responses: errors=" + errors);
        }
    }

    /**
     * Round-trip front: offer a batch of requests, then wait for all of them to come back.
     *
     * @param control  JMH control, to stop waiting when the iteration ends.
     * @param counters round trips completed.
     * @param spins    queue-full and poll-empty events.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public void front(final Control control, final MessageCounters counters, final SpinCounters spins)
    {
        FrontSide side = frontSide;
        if (side == null)
        {
            side = new FrontSide(requests, responses, pool, batch, IdleStrategies.create(idle));
            frontSide = side;
        }
        side.roundTrip(control, counters, spins);
    }

    /**
     * Round-trip back: answer every request available, or wait one idle step.
     *
     * @param spins poll-empty and queue-full events.
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

    /**
     * One-way producer: offer a batch of (preallocated, reused) elements.
     *
     * @param control JMH control, to stop waiting when the iteration ends.
     * @param spins   queue-full events.
     */
    @Benchmark
    @Group("oneWay")
    @GroupThreads(1)
    public void producer(final Control control, final SpinCounters spins)
    {
        IdleStrategy idle = producerIdle;
        if (idle == null)
        {
            idle = IdleStrategies.create(this.idle);
            producerIdle = idle;
        }
        final SpscArrayQueue<Message> queue = requests;
        final Message[] pool = this.pool;
        for (int i = 0; i < batch; i++)
        {
            while (!queue.offer(pool[i]))
            {
                spins.ringFull++;
                if (control.stopMeasurement)
                {
                    return;
                }
                idle.idle();
            }
            idle.reset();
        }
    }

    /**
     * One-way consumer: poll everything available, or wait one idle step.
     *
     * @param counters elements consumed.
     * @param spins    poll-empty events.
     */
    @Benchmark
    @Group("oneWay")
    @GroupThreads(1)
    public void consumer(final MessageCounters counters, final SpinCounters spins)
    {
        ConsumerSide side = consumerSide;
        if (side == null)
        {
            side = new ConsumerSide(requests, IdleStrategies.create(idle));
            consumerSide = side;
        }
        side.poll(counters, spins);
    }

    /** The round trip's requesting half, touched by the front thread only. */
    static final class FrontSide
    {
        private final SpscArrayQueue<Message> requests;
        private final SpscArrayQueue<Message> responses;
        private final Message[] pool;
        private final int batch;
        private final IdleStrategy idle;
        private int outstanding;
        int errors;

        FrontSide(final SpscArrayQueue<Message> requests, final SpscArrayQueue<Message> responses,
            final Message[] pool, final int batch, final IdleStrategy idle)
        {
            this.requests = requests;
            this.responses = responses;
            this.pool = pool;
            this.batch = batch;
            this.idle = idle;
        }

        void roundTrip(final Control control, final MessageCounters counters, final SpinCounters spins)
        {
            // finish a batch cut short at the end of the previous iteration before reusing its elements
            if (outstanding > 0 && !awaitResponses(control, counters, spins))
            {
                return;
            }
            final Message[] pool = this.pool;
            for (int i = 0; i < batch; i++)
            {
                final Message message = pool[i];
                message.id = i;
                message.gref = 8 + i;
                message.size = FRAME_SIZE;
                message.status = 1;
                while (!requests.offer(message))
                {
                    spins.ringFull++;
                    if (control.stopMeasurement)
                    {
                        return;
                    }
                    idle.idle();
                }
                outstanding++;
            }
            idle.reset();
            awaitResponses(control, counters, spins);
        }

        private boolean awaitResponses(final Control control, final MessageCounters counters, final SpinCounters spins)
        {
            while (outstanding > 0)
            {
                final Message message = responses.poll();
                if (message != null)
                {
                    errors += message.status == 0 ? 0 : 1;
                    outstanding--;
                    counters.messages++;
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
    }

    /** The round trip's answering half, touched by the back thread only. */
    static final class BackSide
    {
        private final SpscArrayQueue<Message> requests;
        private final SpscArrayQueue<Message> responses;
        private final IdleStrategy idle;

        BackSide(final SpscArrayQueue<Message> requests, final SpscArrayQueue<Message> responses,
            final IdleStrategy idle)
        {
            this.requests = requests;
            this.responses = responses;
            this.idle = idle;
        }

        void poll(final SpinCounters spins)
        {
            Message message = requests.poll();
            if (message == null)
            {
                spins.pollEmpty++;
                idle.idle();
                return;
            }
            do
            {
                message.status = message.size > 0 ? 0 : -1;
                while (!responses.offer(message))
                {
                    spins.ringFull++;
                    idle.idle();
                }
            }
            while ((message = requests.poll()) != null);
            idle.reset();
        }
    }

    /** The one-way consumer, touched by the consumer thread only. */
    static final class ConsumerSide
    {
        private final SpscArrayQueue<Message> queue;
        private final IdleStrategy idle;
        int errors;

        ConsumerSide(final SpscArrayQueue<Message> queue, final IdleStrategy idle)
        {
            this.queue = queue;
            this.idle = idle;
        }

        void poll(final MessageCounters counters, final SpinCounters spins)
        {
            int consumed = 0;
            Message message;
            while ((message = queue.poll()) != null)
            {
                errors += message.size > 0 ? 0 : 1;
                consumed++;
            }
            if (consumed == 0)
            {
                spins.pollEmpty++;
                idle.idle();
            }
            else
            {
                counters.messages += consumed;
                idle.reset();
            }
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
        BenchmarkRunner.run(JctoolsSpscBaselineBenchmark.class, args);
    }
}
